/**
 * Grants issued per day as an inline SVG bar chart, drawn on the server (no script, no image request),
 * with a text alternative: a summary for screen readers and the numbers as a table.
 */

export interface IssuanceDay {
  /** YYYY-MM-DD (UTC). */
  date: string;
  grants: number;
}

const WIDTH = 700;
const HEIGHT = 220;
const LEFT = 36;
const RIGHT = 8;
const TOP = 18;
const BOTTOM = 26;

/** 1, 2, 5, 10, 20, 50, ... at or above `value`: a round top for the axis. */
function roundedMax(value: number): number {
  let step = 1;
  for (;;) {
    for (const factor of [1, 2, 5]) if (step * factor >= value) return step * factor;
    step *= 10;
  }
}

function summary(days: IssuanceDay[]): string {
  const total = days.reduce((sum, day) => sum + day.grants, 0);
  const first = days[0]?.date ?? '';
  const last = days[days.length - 1]?.date ?? '';
  if (total === 0) return `No grants issued from ${first} to ${last}.`;
  const busiest = days.reduce((best, day) => (day.grants > best.grants ? day : best));
  const grants = total === 1 ? 'grant' : 'grants';
  return `${total} ${grants} issued from ${first} to ${last}; the most on ${busiest.date} (${busiest.grants}).`;
}

export function IssuanceChart({ days }: { days: IssuanceDay[] }) {
  const top = roundedMax(Math.max(1, ...days.map((day) => day.grants)));
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = plotWidth / Math.max(days.length, 1);
  const barWidth = Math.max(2, slot * 0.64);
  const y = (value: number) => TOP + plotHeight - (value / top) * plotHeight;
  const text = summary(days);
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-labelledby="chart-title chart-desc"
        xmlns="http://www.w3.org/2000/svg"
      >
        <title id="chart-title">Grants issued per day</title>
        <desc id="chart-desc">{text}</desc>
        {[0, top / 2, top].map((tick) => (
          <>
            <line class="axis" x1={LEFT} x2={WIDTH - RIGHT} y1={y(tick)} y2={y(tick)} />
            <text x={LEFT - 6} y={y(tick) + 4} text-anchor="end">
              {Number.isInteger(tick) ? String(tick) : ''}
            </text>
          </>
        ))}
        {days.map((day, i) => {
          const x = LEFT + i * slot + (slot - barWidth) / 2;
          const height = Math.max(0, y(0) - y(day.grants));
          return (
            <g>
              <rect
                class="bar"
                x={x.toFixed(1)}
                y={y(day.grants).toFixed(1)}
                width={barWidth.toFixed(1)}
                height={height.toFixed(1)}
                rx="2"
              >
                <title>{`${day.date}: ${day.grants} grants`}</title>
              </rect>
              {day.grants > 0 && (
                <text
                  x={(x + barWidth / 2).toFixed(1)}
                  y={(y(day.grants) - 4).toFixed(1)}
                  text-anchor="middle"
                >
                  {String(day.grants)}
                </text>
              )}
              <text x={(x + barWidth / 2).toFixed(1)} y={HEIGHT - 8} text-anchor="middle">
                {day.date.slice(5)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        {text} Days are UTC. Client-credentials tokens create no grant and are not counted.
      </figcaption>
      <details>
        <summary>Show the numbers as a table</summary>
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Grants issued per day</caption>
            <thead>
              <tr>
                <th scope="col">Day (UTC)</th>
                <th scope="col" class="num">
                  Grants
                </th>
              </tr>
            </thead>
            <tbody>
              {days.map((day) => (
                <tr>
                  <td>{day.date}</td>
                  <td class="num">{day.grants}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

/**
 * The metrics page: the figures of GET /metrics in readable form, by area; per metric its help text and a
 * table of its series (labels and value; histograms as count, sum, mean and estimated quantiles).
 */
import type { HistogramSeries, MetricFamily, MetricGroup, SeriesLabels } from '../../src/observability/view';
import { TableFrame, Time } from './components';
import { type AdminChrome, AdminLayout } from './layout';

export interface MetricsPageProps {
  chrome: AdminChrome;
  groups: MetricGroup[];
  /** Isolates whose figures reached the aggregate in the last 5 minutes. */
  isolates: number;
  generatedAt: number;
}

/** A number as the page shows it: integers as they are, others to 4 significant digits. */
export function formatNumber(value: number | null): string {
  if (value === null) return '–';
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

/** A duration in seconds as milliseconds when under a second. */
function formatSeconds(value: number | null, seconds: boolean): string {
  if (value === null || !seconds) return formatNumber(value);
  return value < 1 ? `${formatNumber(value * 1000)} ms` : `${formatNumber(value)} s`;
}

function Labels({ labels }: { labels: SeriesLabels }) {
  if (labels.length === 0) return <span class="muted">(no labels)</span>;
  return <code>{labels.map(([name, value]) => `${name}="${value}"`).join(', ')}</code>;
}

function HistogramRows({ series, seconds }: { series: HistogramSeries[]; seconds: boolean }) {
  return (
    <>
      {series.map((s) => (
        <tr>
          <td>
            <Labels labels={s.labels} />
          </td>
          <td>{formatNumber(s.count)}</td>
          <td>{formatSeconds(s.sum, seconds)}</td>
          <td>{formatSeconds(s.mean, seconds)}</td>
          <td>{formatSeconds(s.p50, seconds)}</td>
          <td>{formatSeconds(s.p90, seconds)}</td>
          <td>{formatSeconds(s.p99, seconds)}</td>
        </tr>
      ))}
    </>
  );
}

function Family({ family }: { family: MetricFamily }) {
  const id = `m-${family.name}`;
  return (
    <section class="panel" aria-labelledby={id}>
      <h3 id={id}>
        <code>{family.name}</code> <span class="muted">{family.type}</span>
      </h3>
      <p>{family.help}</p>
      {family.type === 'histogram' ? (
        <TableFrame
          caption={family.name}
          empty="No observations yet."
          count={family.series.length}
          columns={['Labels', 'Count', 'Sum', 'Mean', 'p50', 'p90', 'p99']}
        >
          <HistogramRows series={family.series} seconds={/_seconds(_|$)/.test(family.name)} />
        </TableFrame>
      ) : (
        <TableFrame
          caption={family.name}
          empty="No series yet."
          count={family.series.length}
          columns={['Labels', 'Value']}
        >
          {family.series.map((s) => (
            <tr>
              <td>
                <Labels labels={s.labels} />
              </td>
              <td>{formatNumber(s.value)}</td>
            </tr>
          ))}
        </TableFrame>
      )}
    </section>
  );
}

export function MetricsPage({ chrome, groups, isolates, generatedAt }: MetricsPageProps) {
  return (
    <AdminLayout chrome={chrome} title="Metrics">
      <p class="muted">
        The figures of <code>/metrics</code>, summed over {isolates} reporting{' '}
        {isolates === 1 ? 'isolate' : 'isolates'} (each reports within its flush interval). Quantiles are
        estimated from the histogram buckets. As of <Time secs={generatedAt} />.
      </p>
      <nav aria-label="Metric areas">
        <ul>
          {groups.map((group) => (
            <li>
              <a href={`#area-${group.area.toLowerCase().replace(/[^a-z]+/g, '-')}`}>{group.area}</a>
            </li>
          ))}
        </ul>
      </nav>
      {groups.map((group) => {
        const id = `area-${group.area.toLowerCase().replace(/[^a-z]+/g, '-')}`;
        return (
          <section aria-labelledby={id}>
            <h2 id={id}>{group.area}</h2>
            {group.families.map((family) => (
              <Family family={family} />
            ))}
          </section>
        );
      })}
    </AdminLayout>
  );
}

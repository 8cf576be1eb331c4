/**
 * The admin stylesheet (inlined with the CSP nonce, like every page's): the shared palette plus a sidebar
 * layout, tables, forms, notices and the chart. Light and dark by prefers-color-scheme; no assets.
 */
import { THEME } from '../styles';

export const ADMIN_STYLES = `${THEME}
:root {
  --ok: #176b34; --ok-bg: #e6f4ea; --warn: #6b4e00; --warn-bg: #fff4d6; --warn-border: #e0b84a;
  --ring: #1f5fd1; --row: #f0f2f5; --bar: #1f5fd1; --grid: #d5d9e0;
}
@media (prefers-color-scheme: dark) {
  :root {
    --ok: #8fdca6; --ok-bg: #15301f; --warn: #ffd98a; --warn-bg: #33290f; --warn-border: #8a6d1e;
    --ring: #a9c5ff; --row: #222630; --bar: #7aa7ff; --grid: #353a46;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--ring); outline-offset: 2px; }
.skip { position: absolute; left: .5rem; top: -3rem; z-index: 10; padding: .5rem 1rem; border-radius: 8px;
  background: var(--accent); color: var(--accent-text); font-weight: 600; }
.skip:focus { top: .5rem; }
.shell { display: grid; grid-template-columns: 14rem minmax(0, 1fr); min-height: 100vh; }
.sidebar { background: var(--card); border-right: 1px solid var(--border); padding: 1.25rem 1rem; }
.brand { font-weight: 700; font-size: 1.05rem; margin: 0 0 1rem; padding: 0 .5rem; }
.brand span { display: block; font-weight: 400; font-size: .85rem; color: var(--muted); }
nav ul { list-style: none; margin: 0; padding: 0; }
nav a { display: block; padding: .45rem .6rem; border-radius: 8px; color: var(--text); text-decoration: none; }
nav a:hover { background: var(--row); }
nav a[aria-current="page"] { background: var(--accent); color: var(--accent-text); font-weight: 600; }
.who { margin-top: 1.5rem; padding: .75rem .5rem 0; border-top: 1px solid var(--border); font-size: .9rem; }
.who p { margin: 0 0 .5rem; overflow-wrap: anywhere; }
.content { padding: 1.5rem 2rem 3rem; max-width: 72rem; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .75rem; }
p { margin: 0 0 1rem; }
.muted { color: var(--muted); }
.crumbs { margin: 0 0 .5rem; font-size: .9rem; }
.panel { background: var(--card); border: 1px solid var(--border); border-radius: 12px; padding: 1.25rem 1.5rem;
  margin: 0 0 1.25rem; }
.panel > h2:first-child { margin-top: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(10.5rem, 1fr)); gap: 1rem;
  margin: 0 0 1.5rem; padding: 0; list-style: none; }
.cards a { display: block; padding: 1rem 1.25rem; border-radius: 12px; background: var(--card);
  border: 1px solid var(--border); color: var(--text); text-decoration: none; }
.cards a:hover { border-color: var(--accent); }
.cards strong { display: block; font-size: 1.9rem; line-height: 1.2; }
.cards span { color: var(--muted); font-size: .9rem; }
.table-wrap { overflow-x: auto; background: var(--card); border: 1px solid var(--border); border-radius: 12px;
  margin: 0 0 1rem; }
table { width: 100%; border-collapse: collapse; font-size: .92rem; }
caption { text-align: left; padding: .75rem 1rem 0; color: var(--muted); }
th, td { padding: .55rem .75rem; text-align: left; vertical-align: top; border-bottom: 1px solid var(--border); }
th { font-weight: 600; color: var(--muted); white-space: nowrap; }
tbody tr:last-child td { border-bottom: 0; }
tbody tr:hover { background: var(--row); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td .actions-inline { display: flex; gap: .5rem; flex-wrap: wrap; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .88em; }
td code { overflow-wrap: anywhere; }
/* Random ids wrap inside a column wide enough for a readable chunk; times and short codes never wrap. */
td.id { min-width: 10rem; }
td.id a { overflow-wrap: anywhere; }
td.wide { min-width: 16rem; }
time, .nowrap { white-space: nowrap; }
pre { margin: .5rem 0 0; padding: .75rem; background: var(--bg); border-radius: 8px; overflow-x: auto; }
.empty { padding: 1.5rem 1rem; color: var(--muted); }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .8rem; font-weight: 600;
  border: 1px solid var(--border); white-space: nowrap; }
.badge.ok { color: var(--ok); background: var(--ok-bg); border-color: transparent; }
.badge.off { color: var(--danger); background: var(--danger-bg); border-color: transparent; }
.badge.warn { color: var(--warn); background: var(--warn-bg); border-color: transparent; }
.notice { padding: .75rem 1rem; border-radius: 8px; margin: 0 0 1rem; }
.notice.ok { background: var(--ok-bg); color: var(--ok); }
.alert { padding: .75rem 1rem; border-radius: 8px; margin: 0 0 1rem; background: var(--danger-bg);
  color: var(--danger); }
.alert a { color: inherit; }
.secret { padding: 1rem 1.25rem; border-radius: 12px; margin: 0 0 1.25rem; background: var(--warn-bg);
  border: 2px solid var(--warn-border); color: var(--text); }
.secret h2 { margin: 0 0 .5rem; color: var(--warn); }
.secret output { display: block; margin: .5rem 0; padding: .6rem .75rem; border-radius: 8px;
  background: var(--card); border: 1px solid var(--border); font: 1rem ui-monospace, SFMono-Regular, Menlo, monospace;
  overflow-wrap: anywhere; user-select: all; }
form.stack { max-width: 40rem; }
.field { margin: 0 0 1rem; }
.field > label, fieldset legend { display: block; font-weight: 600; margin: 0 0 .25rem; }
.hint { display: block; color: var(--muted); font-size: .88rem; margin: .15rem 0 .35rem; }
.field-error { display: block; color: var(--danger); font-weight: 600; font-size: .9rem; margin: .15rem 0 .35rem; }
input[type=text], input[type=password], input[type=email], input[type=search], select, textarea {
  width: 100%; padding: .5rem .65rem; font: inherit; color: var(--text); background: var(--bg);
  border: 1px solid var(--border); border-radius: 8px; }
textarea { min-height: 5.5rem; resize: vertical; font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
  font-size: .9rem; }
[aria-invalid="true"] { border-color: var(--danger); border-width: 2px; }
fieldset { border: 1px solid var(--border); border-radius: 8px; padding: .5rem 1rem .75rem; margin: 0 0 1rem; }
fieldset legend { padding: 0 .25rem; }
.check { display: flex; gap: .5rem; align-items: baseline; margin: .3rem 0; font-weight: 400; }
.check input { margin: 0; accent-color: var(--accent); }
.checks { display: flex; flex-wrap: wrap; gap: 0 1.5rem; }
button, .button { display: inline-block; font: inherit; font-weight: 600; padding: .5rem 1rem; border-radius: 8px;
  cursor: pointer; border: 1px solid var(--accent); background: var(--accent); color: var(--accent-text);
  text-decoration: none; line-height: 1.4; }
button.secondary, .button.secondary { background: transparent; color: var(--text); border-color: var(--border); }
button.danger, .button.danger { background: var(--danger); border-color: var(--danger); color: var(--card); }
button.small, .button.small { padding: .2rem .6rem; font-size: .85rem; }
.actions { display: flex; gap: .75rem; margin: 1rem 0 0; flex-wrap: wrap; align-items: center; }
.toolbar { display: flex; gap: .75rem; flex-wrap: wrap; align-items: flex-end; margin: 0 0 1rem; }
.toolbar .field { margin: 0; min-width: 12rem; flex: 1 1 12rem; max-width: 22rem; }
.toolbar .check { margin: 0 0 .55rem; }
.toolbar .spacer { flex: 1 1 auto; }
.pager { display: flex; gap: 1rem; align-items: center; margin: 0 0 1rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .4rem 1.25rem; margin: 0; }
dl.facts dt { font-weight: 600; color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
ul.details { list-style: none; margin: 0; padding: 0; font-size: .9rem; }
ul.details li { overflow-wrap: anywhere; }
ul.details .key { color: var(--muted); font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.grid-2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 0 1.25rem; }
figure { margin: 0; }
.chart svg { display: block; width: 100%; height: auto; max-height: 16rem; }
.chart .bar { fill: var(--bar); }
.chart .axis { stroke: var(--grid); stroke-width: 1; }
.chart text { fill: var(--muted); font-size: 11px; font-family: system-ui, sans-serif; }
.chart figcaption { color: var(--muted); font-size: .9rem; margin: .5rem 0 0; }
details summary { cursor: pointer; color: var(--accent); margin: .5rem 0; }
.visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
@media (max-width: 48rem) {
  .shell { grid-template-columns: 1fr; }
  .sidebar { border-right: 0; border-bottom: 1px solid var(--border); }
  nav ul { display: flex; flex-wrap: wrap; gap: .25rem; }
  .who { margin-top: .75rem; }
  .content { padding: 1rem; }
}
`;

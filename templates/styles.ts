/** The colour palette, light and (prefers-color-scheme) dark: shared with the admin stylesheet. */
export const THEME = `
:root {
  color-scheme: light dark;
  --bg: #f5f6f8; --card: #ffffff; --text: #1d2330; --muted: #5b6475; --border: #d5d9e0;
  --accent: #1f5fd1; --accent-text: #ffffff; --danger: #b42318; --danger-bg: #fdecea; --focus: #7aa7ff;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #111318; --card: #1b1e25; --text: #e7e9ee; --muted: #a3aab8; --border: #353a46;
    --accent: #7aa7ff; --accent-text: #0b1020; --danger: #ffb4a9; --danger-bg: #3a1d1a; --focus: #a9c5ff;
  }
}
`;

/** The one stylesheet of every page (inlined with the CSP nonce): light and dark themes, no assets. */
export const STYLES = `${THEME}
* { box-sizing: border-box; }
body {
  margin: 0; min-height: 100vh; display: flex; align-items: flex-start; justify-content: center;
  background: var(--bg); color: var(--text); font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
main { width: 100%; max-width: 28rem; margin: 4rem 1rem; padding: 2rem; background: var(--card);
  border: 1px solid var(--border); border-radius: 12px; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
p { margin: 0 0 1rem; }
.muted { color: var(--muted); }
label { display: block; font-weight: 600; margin: 1rem 0 .25rem; }
input[type=text], input[type=password] { width: 100%; padding: .6rem .75rem; font: inherit; color: var(--text);
  background: var(--bg); border: 1px solid var(--border); border-radius: 8px; }
input:focus-visible, button:focus-visible, a:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
button { font: inherit; font-weight: 600; padding: .6rem 1.2rem; border-radius: 8px; cursor: pointer;
  border: 1px solid var(--accent); background: var(--accent); color: var(--accent-text); }
button.secondary { background: transparent; color: var(--text); border-color: var(--border); }
.actions { display: flex; gap: .75rem; margin-top: 1.5rem; flex-wrap: wrap; }
.alert { padding: .75rem 1rem; border-radius: 8px; background: var(--danger-bg); color: var(--danger); }
.notice { padding: .75rem 1rem; border-radius: 8px; border: 1px solid var(--border); background: var(--bg); }
a { color: var(--accent); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .4rem 1rem; margin: 0 0 1rem; }
dt { font-weight: 600; color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
ul.scopes { padding-left: 1.2rem; }
ul.scopes li { margin: .25rem 0; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em; }
.client-logo { display: block; width: 48px; height: 48px; max-width: 48px; max-height: 48px;
  object-fit: contain; margin: 0 0 1rem; border-radius: 8px; }
.client-links { font-size: .9rem; margin-top: 1rem; }
`;

/**
 * Where to send the browser after signing in or out: only a same-site relative path. Anything that a
 * browser could resolve to another origin (`//host`, `/\host`, `https://…`, percent-encoded slashes or
 * backslashes at the start, control characters, whitespace) falls back to the default.
 */

export const DEFAULT_RETURN_PATH = '/profile';
const MAX_LENGTH = 4096;
/** Resolving against a reserved origin shows whether the path could leave the site. */
const PROBE_ORIGIN = 'https://return-to.invalid';

/** `value` when it is a safe relative path, else `fallback`. */
export function safeReturnPath(value: string | null | undefined, fallback = DEFAULT_RETURN_PATH): string {
  if (value === null || value === undefined || value.length === 0 || value.length > MAX_LENGTH)
    return fallback;
  if (!isSafeStart(value) || /[\\\s]/.test(value) || hasControlCharacter(value)) return fallback;
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return fallback;
  }
  // Some user agents and proxies decode once before resolving: the decoded form must not leave either.
  if (!isSafeStart(decoded)) return fallback;
  const url = URL.parse(value, PROBE_ORIGIN);
  return url?.origin === PROBE_ORIGIN ? value : fallback;
}

/**
 * A single leading slash. The caller also refuses backslashes anywhere, control characters and spaces:
 * WHATWG URL parsers read a backslash as a slash and strip the others.
 */
function isSafeStart(path: string): boolean {
  return path.startsWith('/') && !path.startsWith('//') && !path.startsWith('/\\');
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

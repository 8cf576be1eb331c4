/**
 * HTML pages: the security headers every page carries, a per-request CSP nonce for the one inline
 * stylesheet, and the error page. Pages run no script (CSP `default-src 'none'`), but the form_post page.
 *
 * `form-action`: Chromium checks it against every redirect that follows a form submission. The
 * sign-in and consent forms end in a redirect to the client's redirect_uri (any https origin, loopback
 * http on any port, or a private-use scheme of a native app), so those pages leave `form-action` out
 * (`redirectsToClient`): the redirect target was already checked against the client's registration,
 * and no listable set of sources covers private-use schemes. Every other page has `form-action 'self'`.
 *
 * The form_post response page (`formPostTo`) runs its inline script: `script-src` with the page nonce,
 * and `form-action` naming only the origin of the client's redirect_uri it posts to. The pages with
 * passkey buttons (`scripts`) load this server's `/auth/passkeys.js` by the page nonce, and that script
 * calls back to this origin only (`connect-src 'self'`).
 *
 * `img-src`: 'self' and data: only, except on a sign-in or consent page that shows the application's logo
 * (`clientImages`): its registered https logo_uri is the one image from elsewhere, so those add https:.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { randomToken } from '../../src/crypto/random';
import { OAuthError, type OAuthErrorCode } from '../../src/oauth/errors';
import type { ErrorPage } from '../../templates/error';
import type { AppEnv } from '../context';

/** What hono/jsx components render to. */
export type PageElement = ReturnType<typeof ErrorPage>;

export interface PageOptions {
  /** The page's form may end in a redirect to a client's redirect_uri: leave out CSP form-action. */
  redirectsToClient?: boolean;
  /** The page shows a client's logo (an https URL it registered): img-src also allows https:. */
  clientImages?: boolean;
  /**
   * The form_post response page: its one inline script runs by the page nonce, and `form-action` allows
   * exactly this origin (the client's redirect_uri, already matched against its registration).
   */
  formPostTo?: string;
  /** The page loads this server's scripts (a `<script src>` with the page nonce) that fetch this origin. */
  scripts?: boolean;
}

const nonces = new WeakMap<Request, string>();

/** The CSP nonce of this request (128 random bits), the same for every call within one request. */
export function pageNonce(c: Context<AppEnv>): string {
  let nonce = nonces.get(c.req.raw);
  if (nonce === undefined) {
    nonce = randomToken(16);
    nonces.set(c.req.raw, nonce);
  }
  return nonce;
}

/** The Content-Security-Policy of a page rendered with `nonce`. */
export function pageCsp(nonce: string, options: PageOptions = {}): string {
  return [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    ...(options.formPostTo !== undefined || options.scripts ? [`script-src 'nonce-${nonce}'`] : []),
    ...(options.scripts ? ["connect-src 'self'"] : []),
    options.clientImages ? "img-src 'self' data: https:" : "img-src 'self' data:",
    ...(options.formPostTo !== undefined
      ? [`form-action ${options.formPostTo}`]
      : options.redirectsToClient
        ? []
        : ["form-action 'self'"]),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** Sets the page security headers on the response being built. */
export function setPageHeaders(c: Context<AppEnv>, options: PageOptions = {}): void {
  c.header('Content-Security-Policy', pageCsp(pageNonce(c), options));
  c.header('Referrer-Policy', 'no-referrer');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('X-Frame-Options', 'DENY');
  c.header('Cache-Control', 'no-store');
  c.header('Pragma', 'no-cache');
}

/** Renders a page (built with `pageNonce(c)`) with the page security headers. */
export function renderPage(
  c: Context<AppEnv>,
  element: PageElement,
  status: ContentfulStatusCode = 200,
  options: PageOptions = {},
): Response | Promise<Response> {
  setPageHeaders(c, options);
  return c.html(element, status);
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Not signed in',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  413: 'Request too large',
  429: 'Too many requests',
  503: 'Temporarily unavailable',
};

/** A title for an error status. */
export function errorTitle(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Something went wrong' : 'Request refused');
}

/**
 * An error meant for a browser page: thrown on a browser route it becomes the error page (see
 * `htmlErrors`), elsewhere the usual JSON error.
 */
export class PageError extends OAuthError {
  readonly title: string;

  constructor(
    status: ContentfulStatusCode,
    description: string,
    options: { title?: string; error?: OAuthErrorCode; headers?: Record<string, string> } = {},
  ) {
    super(options.error ?? (status >= 500 ? 'server_error' : 'invalid_request'), description, status, {
      ...options.headers,
    });
    this.name = 'PageError';
    this.title = options.title ?? errorTitle(status);
  }
}

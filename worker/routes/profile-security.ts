/**
 * The signed-in user's second factors (contracts.md, "Multi-factor sign-in"): GET /profile/security lists
 * them; /profile/security/totp sets up an authenticator app (GET the secret and QR code, POST the first
 * code: the recovery codes are shown once); POST forms (CSRF) remove the app, remove or rename a passkey.
 * Adding or removing is allowed within 5 minutes of signing in; later the browser signs in again first.
 * Anonymous visitors sign in first, as for /profile.
 */
import type { Context, Hono } from 'hono';
import { systemClock } from '../../src/clock';
import type { FormParams } from '../../src/oauth/form';
import { qrMatrix, qrSvgPath } from '../../src/sign-in/mfa/qr-code';
import { otpauthUri } from '../../src/sign-in/mfa/totp';
import { confirmTotp, pendingTotpSecret } from '../../src/sign-in/mfa/totp-factor';
import type { SessionInfo } from '../../src/sign-in/session';
import { RecoveryCodesPage, TotpSetupPage } from '../../templates/mfa-totp-setup';
import { SecurityPage } from '../../templates/profile-security';
import type { AppEnv } from '../context';
import { recentlySignedIn } from '../http/complete-sign-in';
import { PageError, pageNonce, renderPage } from '../http/pages';
import { strictQuery } from '../http/query';
import { readForm } from '../middleware/body';
import { csrfToken, verifyCsrf } from '../middleware/csrf';
import { requestEvents } from '../middleware/observability';
import { loginRedirect } from '../middleware/session';
import { requestStorage } from '../wiring/request-storage';
import { issuerFor } from '../wiring/services';

export const SECURITY_PATH = '/profile/security';
export const TOTP_SETUP_PATH = '/profile/security/totp';
const TOTP_REMOVE_PATH = '/profile/security/totp/remove';
const PASSKEY_REMOVE_PATH = '/profile/security/passkeys/remove';
const PASSKEY_RENAME_PATH = '/profile/security/passkeys/rename';
/** `?required=admin`: the admin pages sent an administrator here (OAUTH2_MFA_REQUIRED_FOR_ADMINS). */
const ADMIN_NOTICE =
  'Administrators must have a second factor: add an authenticator app or a passkey to use the admin pages.';
const WRONG_SETUP_CODE = 'That code is not right. Check the time on your device and try the next code.';
const MAX_PASSKEY_NAME = 64;

/** The browser signs in again (forced), coming back to `returnTo`. */
const signInAgain = (c: Context<AppEnv>, returnTo: string) => loginRedirect(c, returnTo, { prompt: 'login' });

function signInAgainPath(): string {
  return `/auth/login?${new URLSearchParams({ return_to: SECURITY_PATH, prompt: 'login' })}`;
}

async function showSecurity(c: Context<AppEnv>): Promise<Response> {
  const session = c.get('session');
  if (!session) return loginRedirect(c, SECURITY_PATH);
  const factors = await requestStorage(c).mfa.factors(session.userId);
  const page = SecurityPage({
    nonce: pageNonce(c),
    csrfToken: await csrfToken(c),
    totp: factors.totp?.confirmed
      ? { createdAt: factors.totp.createdAt, recoveryCodesLeft: factors.recoveryCodesLeft }
      : null,
    passkeys: factors.passkeys,
    canChange: recentlySignedIn(session, systemClock.nowSecs()),
    notice: strictQuery(c).get('required') === 'admin' ? ADMIN_NOTICE : null,
    actions: {
      totpSetup: TOTP_SETUP_PATH,
      totpRemove: TOTP_REMOVE_PATH,
      passkeyRemove: PASSKEY_REMOVE_PATH,
      passkeyRename: PASSKEY_RENAME_PATH,
      signInAgain: signInAgainPath(),
    },
  });
  return renderPage(c, page, 200, { scripts: true });
}

async function renderSetup(c: Context<AppEnv>, session: SessionInfo, secret: string, error: string | null) {
  // The app lists the account under this server's host name.
  const uri = otpauthUri(secret, new URL(issuerFor(c.get('config'), c.req.url)).host, session.username);
  let qr: { path: string; size: number } | null = null;
  try {
    const matrix = qrMatrix(uri);
    qr = { path: qrSvgPath(matrix), size: matrix.length + 8 };
  } catch {
    // A URI too long for the codes drawn here (a very long username): the key is typed in instead.
  }
  const page = TotpSetupPage({
    nonce: pageNonce(c),
    csrfToken: await csrfToken(c),
    action: TOTP_SETUP_PATH,
    secret,
    otpauthUri: uri,
    qr,
    error,
  });
  return renderPage(c, page, error === null ? 200 : 400);
}

async function showTotpSetup(c: Context<AppEnv>): Promise<Response> {
  const session = c.get('session');
  if (!session) return loginRedirect(c, TOTP_SETUP_PATH);
  const now = systemClock.nowSecs();
  if (!recentlySignedIn(session, now)) return signInAgain(c, TOTP_SETUP_PATH);
  const secret = await pendingTotpSecret(
    requestStorage(c),
    c.get('config').keyEncryptionKey,
    session.userId,
    now,
  );
  if (secret === null) return backToSecurity(c);
  return renderSetup(c, session, secret, null);
}

/** A POST form's session, after its CSRF check; a sign-in older than 5 minutes signs in again first. */
async function changingSession(
  c: Context<AppEnv>,
): Promise<{ session: SessionInfo; form: FormParams } | Response> {
  const form = await readForm(c.req.raw);
  await verifyCsrf(c, form);
  const session = c.get('session');
  if (!session) throw new PageError(401, 'Your session ended. Sign in and try again.');
  if (!recentlySignedIn(session, systemClock.nowSecs())) return signInAgain(c, SECURITY_PATH);
  return { session, form };
}

function backToSecurity(c: Context<AppEnv>): Response {
  c.header('Cache-Control', 'no-store');
  return c.redirect(SECURITY_PATH, 303);
}

async function submitTotpSetup(c: Context<AppEnv>): Promise<Response> {
  const found = await changingSession(c);
  if (found instanceof Response) return found;
  const { session, form } = found;
  const storage = requestStorage(c);
  const kek = c.get('config').keyEncryptionKey;
  const now = systemClock.nowSecs();
  const codes = await confirmTotp(storage, kek, session.userId, form.get('code') ?? '', now);
  if (codes === null) {
    const secret = await pendingTotpSecret(storage, kek, session.userId, now);
    if (secret === null) return backToSecurity(c);
    return renderSetup(c, session, secret, WRONG_SETUP_CODE);
  }
  requestEvents(c).publish({ type: 'mfa_enrolled', userId: session.userId, metadata: { factor: 'totp' } });
  return renderPage(c, RecoveryCodesPage({ nonce: pageNonce(c), codes }));
}

async function removeTotp(c: Context<AppEnv>): Promise<Response> {
  const found = await changingSession(c);
  if (found instanceof Response) return found;
  if (await requestStorage(c).mfa.deleteTotp(found.session.userId)) {
    requestEvents(c).publish({
      type: 'mfa_removed',
      userId: found.session.userId,
      metadata: { factor: 'totp' },
    });
  }
  return backToSecurity(c);
}

function credentialIdOf(form: FormParams): string {
  const id = form.get('credential_id') ?? '';
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(id)) {
    throw new PageError(400, 'The form was not understood.', { title: 'Invalid request' });
  }
  return id;
}

async function removePasskey(c: Context<AppEnv>): Promise<Response> {
  const found = await changingSession(c);
  if (found instanceof Response) return found;
  const { session, form } = found;
  if (await requestStorage(c).mfa.deletePasskey(session.userId, credentialIdOf(form))) {
    requestEvents(c).publish({
      type: 'mfa_removed',
      userId: session.userId,
      metadata: { factor: 'passkey' },
    });
  }
  return backToSecurity(c);
}

async function renamePasskey(c: Context<AppEnv>): Promise<Response> {
  const found = await changingSession(c);
  if (found instanceof Response) return found;
  const { session, form } = found;
  const name = (form.get('name') ?? '').trim();
  if (name.length === 0 || name.length > MAX_PASSKEY_NAME) {
    throw new PageError(400, `A passkey name has 1 to ${MAX_PASSKEY_NAME} characters.`, {
      title: 'Invalid request',
    });
  }
  await requestStorage(c).mfa.renamePasskey(session.userId, credentialIdOf(form), name);
  return backToSecurity(c);
}

export function registerProfileSecurityRoutes(app: Hono<AppEnv>): void {
  app.get(SECURITY_PATH, showSecurity);
  app.get(TOTP_SETUP_PATH, showTotpSetup);
  app.post(TOTP_SETUP_PATH, submitTotpSetup);
  app.post(TOTP_REMOVE_PATH, removeTotp);
  app.post(PASSKEY_REMOVE_PATH, removePasskey);
  app.post(PASSKEY_RENAME_PATH, renamePasskey);
}

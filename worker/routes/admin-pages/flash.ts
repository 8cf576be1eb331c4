/**
 * The one-time message that survives the redirect after a change (post/redirect/get): a notice ("Client
 * created.") and, after a client is created or its secret rotated, the new secret. It travels in a cookie
 * that lives two minutes and is cleared by the first admin page that reads it, so a secret is shown on
 * exactly one response. The cookie is AES-256-GCM encrypted under a key derived from OAUTH2_SESSION_KEY
 * and bound to the acting administrator (associated data), so it is unreadable in the browser's cookie
 * store and useless to anyone else; the server stores nothing.
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { systemClock } from '../../../src/clock';
import { derivedKeyPerSecret } from '../../../src/crypto/derive-key';
import { fromBase64Url, toBase64Url, utf8 } from '../../../src/crypto/encoding';
import type { AppEnv } from '../../context';
import { cookieName, cookieOptions, cookiesAreSecure } from '../../middleware/session';

/** What a page shows once, right after the change that produced it. */
export interface Flash {
  notice?: string;
  /** A client secret just issued: shown on that client's page. */
  secret?: { clientId: string; value: string };
}

const FLASH_TTL_SECS = 120;
const flashKey = derivedKeyPerSecret('oauth2-admin-flash', 'aes-256-gcm', 'aes-gcm');

function flashCookie(c: Context<AppEnv>): string {
  return cookieName(c, 'admin-flash');
}

/** Binds the cookie to whoever is acting: the session (sid) or the actor of a Bearer token. */
function binding(c: Context<AppEnv>): Uint8Array<ArrayBuffer> {
  const session = c.get('session');
  const actor = c.get('admin');
  return utf8(session ? `session:${session.sid}` : `actor:${actor.actorType}:${actor.actorId}`);
}

/** Sets the flash for the next admin page. */
export async function setFlash(c: Context<AppEnv>, flash: Flash): Promise<void> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plaintext = utf8(JSON.stringify({ ...flash, exp: systemClock.nowSecs() + FLASH_TTL_SECS }));
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: binding(c) },
    await flashKey(c.get('config').sessionKey),
    plaintext,
  );
  setCookie(c, flashCookie(c), `${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`, {
    ...cookieOptions(c, FLASH_TTL_SECS),
    sameSite: 'Strict',
  });
}

/** Reads and clears the flash; an absent, expired, foreign or damaged cookie is no flash. */
export async function takeFlash(c: Context<AppEnv>): Promise<Flash> {
  const value = getCookie(c, flashCookie(c));
  if (value === undefined) return {};
  deleteCookie(c, flashCookie(c), { path: '/', secure: cookiesAreSecure(c) });
  const [iv, ciphertext] = value.split('.');
  if (!iv || !ciphertext) return {};
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromBase64Url(iv), additionalData: binding(c) },
      await flashKey(c.get('config').sessionKey),
      fromBase64Url(ciphertext),
    );
    const flash = JSON.parse(new TextDecoder().decode(plain)) as Flash & { exp: number };
    return flash.exp > systemClock.nowSecs() ? { notice: flash.notice, secret: flash.secret } : {};
  } catch {
    return {};
  }
}

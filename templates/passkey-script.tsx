/**
 * The one script the pages with passkey buttons load (`#passkey-login` on the sign-in page, `#add-passkey`
 * on the security page): `/auth/passkeys.js` from this server, by the page nonce. A page that renders it
 * is served with `renderPage(..., { scripts: true })` (worker/http/pages.ts), which lets it run and call
 * back to this origin.
 */

/** Where the passkey script is served (worker/routes/passkeys.ts). */
export const PASSKEYS_SCRIPT_SRC = '/auth/passkeys.js';

export function PasskeyScript({ nonce }: { nonce: string }) {
  return <script nonce={nonce} src={PASSKEYS_SCRIPT_SRC} defer />;
}

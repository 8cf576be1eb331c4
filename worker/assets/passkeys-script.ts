/**
 * The browser side of passkeys, served as `/auth/passkeys.js` (worker/routes/passkeys.ts) to the login
 * page (`#passkey-login`, passkey autofill on the username field) and the security page (`#add-passkey`).
 * Plain ES2020 with no dependencies and no inline handlers: pages load it by their CSP nonce. It turns the
 * server's JSON options into `navigator.credentials` calls (base64url <-> ArrayBuffer) and the
 * credentials back into JSON (WebAuthn Level 3 §5.1.8 / §5.1.9 shapes), sending the page's CSRF token in
 * `X-CSRF-Token`. Kept as a string so the bundle and the type check need no loader for it.
 */

export const PASSKEYS_SCRIPT = String.raw`(() => {
  'use strict';

  const PATHS = {
    registrationOptions: '/auth/passkeys/registration/options',
    registration: '/auth/passkeys/registration',
    authenticationOptions: '/auth/passkeys/authentication/options',
    authentication: '/auth/passkeys/authentication',
  };

  function toBase64Url(buffer) {
    const bytes = new Uint8Array(buffer);
    let binary = '';
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function fromBase64Url(text) {
    const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function descriptors(list) {
    return (list || []).map((d) => Object.assign({}, d, { id: fromBase64Url(d.id) }));
  }

  function creationOptions(json) {
    return Object.assign({}, json, {
      challenge: fromBase64Url(json.challenge),
      user: Object.assign({}, json.user, { id: fromBase64Url(json.user.id) }),
      excludeCredentials: descriptors(json.excludeCredentials),
    });
  }

  function requestOptions(json) {
    const options = Object.assign({}, json, { challenge: fromBase64Url(json.challenge) });
    if (json.allowCredentials) options.allowCredentials = descriptors(json.allowCredentials);
    return options;
  }

  function credentialJson(credential) {
    const r = credential.response;
    const response = { clientDataJSON: toBase64Url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toBase64Url(r.attestationObject);
      if (typeof r.getTransports === 'function') response.transports = r.getTransports();
    } else {
      response.authenticatorData = toBase64Url(r.authenticatorData);
      response.signature = toBase64Url(r.signature);
      if (r.userHandle) response.userHandle = toBase64Url(r.userHandle);
    }
    const json = {
      id: credential.id,
      rawId: toBase64Url(credential.rawId),
      type: credential.type,
      response: response,
      clientExtensionResults: credential.getClientExtensionResults(),
    };
    if (credential.authenticatorAttachment) json.authenticatorAttachment = credential.authenticatorAttachment;
    return json;
  }

  function csrfToken(button) {
    if (button.dataset.csrfToken) return button.dataset.csrfToken;
    const input = document.querySelector('input[name="csrf_token"]');
    return input ? input.value : '';
  }

  async function postJson(path, body, csrf) {
    const res = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(body),
    });
    let data = null;
    try {
      data = await res.json();
    } catch (_) {
      data = null;
    }
    return { ok: res.ok, status: res.status, data: data || {} };
  }

  /** The status line beside a button (created after it when the page has none). */
  function statusOf(button) {
    const id = button.id + '-status';
    let line = document.getElementById(id);
    if (!line) {
      line = document.createElement('p');
      line.id = id;
      line.className = 'muted';
      line.setAttribute('role', 'status');
      button.insertAdjacentElement('afterend', line);
    }
    return line;
  }

  function say(button, message) {
    statusOf(button).textContent = message;
  }

  function refusal(result, fallback) {
    if (result.status === 401 && result.data.error === 'login_required') {
      return 'Sign in again to add a passkey: it can only be added within 5 minutes of signing in.';
    }
    if (result.status === 429) return 'Too many failed attempts. Wait a few minutes and try again.';
    return result.data.error_description || fallback;
  }

  function cancelled(error) {
    return error && (error.name === 'NotAllowedError' || error.name === 'AbortError');
  }

  function webAuthnAvailable() {
    return (
      window.isSecureContext &&
      typeof window.PublicKeyCredential === 'function' &&
      !!navigator.credentials &&
      typeof navigator.credentials.create === 'function'
    );
  }

  async function addPasskey(button) {
    const csrf = csrfToken(button);
    button.disabled = true;
    say(button, 'Follow the instructions of your browser or device.');
    try {
      const options = await postJson(PATHS.registrationOptions, {}, csrf);
      if (!options.ok) return say(button, refusal(options, 'A passkey cannot be added now.'));
      let credential;
      try {
        credential = await navigator.credentials.create({ publicKey: creationOptions(options.data) });
      } catch (error) {
        if (error && error.name === 'InvalidStateError') return say(button, 'This device already holds a passkey for you.');
        return say(button, cancelled(error) ? 'No passkey was added.' : 'The passkey could not be created.');
      }
      const result = await postJson(PATHS.registration, credentialJson(credential), csrf);
      if (!result.ok) return say(button, refusal(result, 'The passkey was not accepted.'));
      say(button, 'Passkey added.');
      window.location.reload();
    } catch (_) {
      say(button, 'The passkey could not be added. Try again.');
    } finally {
      button.disabled = false;
    }
  }

  /** Set while an assertion is on its way to the server: one sign-in at a time (button or autofill). */
  let signingIn = false;

  /** Signs in with a passkey: modal (the button) or conditional (autofill on the username field). */
  async function signIn(button, mediation, signal) {
    const csrf = csrfToken(button);
    const options = await postJson(PATHS.authenticationOptions, {}, csrf);
    if (!options.ok) return say(button, refusal(options, 'Passkey sign-in is not available now.'));
    const request = { publicKey: requestOptions(options.data) };
    if (mediation) request.mediation = mediation;
    if (signal) request.signal = signal;
    let credential;
    try {
      credential = await navigator.credentials.get(request);
    } catch (error) {
      if (!mediation) say(button, cancelled(error) ? 'No passkey was used.' : 'The passkey could not be used.');
      return;
    }
    if (!credential || signingIn) return;
    signingIn = true;
    const body = credentialJson(credential);
    body.return_to = button.dataset.returnTo || '';
    let result;
    try {
      result = await postJson(PATHS.authentication, body, csrf);
    } finally {
      signingIn = false;
    }
    if (result.ok && typeof result.data.redirect === 'string') {
      // Signed in: the page is leaving, so no other sign-in starts meanwhile.
      signingIn = true;
      window.location.assign(result.data.redirect);
      return;
    }
    say(button, refusal(result, 'That passkey did not sign you in.'));
  }

  function setUpLogin(button) {
    let autofill = null;
    button.addEventListener('click', async () => {
      if (signingIn) return;
      if (autofill) autofill.abort();
      button.disabled = true;
      say(button, 'Follow the instructions of your browser or device.');
      try {
        await signIn(button, undefined, undefined);
      } catch (_) {
        say(button, 'Passkey sign-in failed. Try again.');
      } finally {
        button.disabled = false;
      }
    });
    const conditional = window.PublicKeyCredential.isConditionalMediationAvailable;
    if (typeof conditional !== 'function') return;
    conditional
      .call(window.PublicKeyCredential)
      .then((available) => {
        if (!available) return;
        autofill = new AbortController();
        return signIn(button, 'conditional', autofill.signal);
      })
      .catch(() => undefined);
  }

  function start() {
    const login = document.getElementById('passkey-login');
    const add = document.getElementById('add-passkey');
    for (const button of [login, add]) {
      if (button && !webAuthnAvailable()) {
        button.disabled = true;
        say(button, 'This browser cannot use passkeys here.');
      }
    }
    if (!webAuthnAvailable()) return;
    if (add) add.addEventListener('click', () => addPasskey(add));
    if (login) setUpLogin(login);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
`;

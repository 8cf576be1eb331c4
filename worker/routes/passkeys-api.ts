/**
 * The OpenAPI declarations of the passkey endpoints (worker/routes/passkeys.ts): paths, the WebAuthn JSON
 * bodies they accept (RegistrationResponseJSON, AuthenticationResponseJSON, validated at the edge), and
 * their answers. The options are WebAuthn's own dictionaries, open objects here.
 *
 * They are browser routes under /auth/: the sign-in and security pages' own script calls them with the
 * sign-in cookie and the page's CSRF token, so they are declared (and validated) here but `hide`s keep
 * them out of the API document, like every other /auth/ route; docs/mfa.md lists them.
 */
import { createRoute, type RouteConfig, z } from '@hono/zod-openapi';
import { jsonError, jsonResponse, optionalText } from './schemas';

const BASE = '/auth/passkeys';

const Base64Url = z
  .string()
  .max(16_384)
  .regex(/^[A-Za-z0-9_-]*$/, 'must be base64url');

const CredentialFields = {
  id: Base64Url.min(1).max(1_024),
  rawId: Base64Url.min(1).max(1_024),
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()),
};

export const RegistrationResponseSchema = z
  .object({
    ...CredentialFields,
    response: z.object({
      clientDataJSON: Base64Url,
      attestationObject: Base64Url,
      transports: z.array(z.string().max(32)).max(16).optional(),
    }),
  })
  .openapi('PasskeyRegistrationResponse', { description: 'WebAuthn RegistrationResponseJSON' });

export const AuthenticationResponseSchema = z
  .object({
    ...CredentialFields,
    response: z.object({
      clientDataJSON: Base64Url,
      authenticatorData: Base64Url,
      signature: Base64Url,
      userHandle: Base64Url.max(256).optional(),
    }),
    return_to: z.string().max(4_096).optional().openapi({ description: 'Where the sign-in goes on to' }),
  })
  .openapi('PasskeyAuthenticationResponse', { description: 'WebAuthn AuthenticationResponseJSON' });

const PasskeyAddedSchema = z.object({ name: z.string(), credential_id: z.string() }).openapi('PasskeyAdded');

const PasskeySignedInSchema = z
  .object({ redirect: z.string() })
  .openapi('PasskeySignedIn', { description: 'Navigate there' });

/** The options are the WebAuthn JSON dictionaries, passed to `navigator.credentials` as they are. */
const OptionsSchema = z.record(z.string(), z.unknown());

/** Documented here; checked by requireCsrf (403 when missing or wrong, like a form without its token). */
const csrfHeader = z.object({
  'x-csrf-token': optionalText('The CSRF token of the page (required)'),
});

const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

const errors = (refused: string) => ({
  400: jsonError('Malformed request, or a passkey that does not verify'),
  401: jsonError(refused),
  403: jsonError('Missing or wrong CSRF token'),
});

/** What a passkey endpoint's declaration says beyond what they share. */
interface PasskeyDoc {
  summary: string;
  description: string;
  /** The WebAuthn JSON the endpoint takes, validated at the edge. */
  body?: ReturnType<typeof jsonBody>;
  /** When its 401 is answered. */
  refused: string;
  responses: RouteConfig['responses'];
}

/**
 * A passkey endpoint: a POST below /auth/passkeys, hidden from the document (see above), that needs the
 * page's CSRF header and answers the shared errors after its own.
 */
const passkeyRoute = <D extends PasskeyDoc>(path: string, doc: D) =>
  createRoute({
    hide: true,
    method: 'post',
    path: `${BASE}${path}`,
    tags: ['Sign-in'],
    summary: doc.summary,
    description: doc.description,
    request: { headers: csrfHeader, body: doc.body as D extends { body: infer B } ? B : undefined },
    responses: { ...(doc.responses as D['responses']), ...errors(doc.refused) },
  });

export const registrationOptionsRoute = passkeyRoute('/registration/options', {
  summary: 'Passkey registration options',
  description:
    'PublicKeyCredentialCreationOptionsJSON for navigator.credentials.create: residentKey required, user verification required, the user’s passkeys excluded. Signed in within the last 5 minutes only.',
  refused: 'Not signed in, or signed in too long ago (login_required)',
  responses: {
    200: jsonResponse('The creation options', OptionsSchema),
  },
});

export const registrationRoute = passkeyRoute('/registration', {
  summary: 'Register a passkey',
  description:
    'Verifies the attestation (format none or any, the key is what counts) and stores the passkey.',
  body: jsonBody(RegistrationResponseSchema),
  refused: 'Not signed in, or signed in too long ago (login_required)',
  responses: {
    201: jsonResponse('The passkey was added', PasskeyAddedSchema),
  },
});

export const authenticationOptionsRoute = passkeyRoute('/authentication/options', {
  summary: 'Passkey sign-in options',
  description:
    'PublicKeyCredentialRequestOptionsJSON for navigator.credentials.get: no allowCredentials (discoverable credentials), user verification required.',
  refused: 'Not used',
  responses: { 200: jsonResponse('The request options', OptionsSchema) },
});

export const authenticationRoute = passkeyRoute('/authentication', {
  summary: 'Sign in with a passkey',
  description:
    'Verifies the assertion and signs the browser in; answers where to go next, as the password form would redirect.',
  body: jsonBody(AuthenticationResponseSchema),
  refused: 'The passkey did not sign anyone in (access_denied)',
  responses: {
    200: jsonResponse('Signed in', PasskeySignedInSchema),
    429: jsonError('Too many failed sign-ins from this address'),
  },
});

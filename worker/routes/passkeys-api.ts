/**
 * The OpenAPI declarations of the passkey endpoints (worker/routes/passkeys.ts): paths, the WebAuthn JSON
 * bodies they accept (RegistrationResponseJSON, AuthenticationResponseJSON, validated at the edge), and
 * their answers. The options are WebAuthn's own dictionaries, open objects here.
 *
 * They are browser routes under /auth/: the sign-in and security pages' own script calls them with the
 * sign-in cookie and the page's CSRF token, so they are declared (and validated) here but `hide`s keep
 * them out of the API document, like every other /auth/ route; docs/mfa.md lists them.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { OAuthErrorSchema } from './schemas';

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

/** The options are the WebAuthn JSON dictionaries, passed to `navigator.credentials` as they are. */
const OptionsSchema = z.record(z.string(), z.unknown());

/** Documented here; checked by requireCsrf (403 when missing or wrong, like a form without its token). */
const csrfHeader = z.object({
  'x-csrf-token': z.string().optional().openapi({ description: 'The CSRF token of the page (required)' }),
});

const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

const jsonAnswer = (description: string, schema: z.ZodType) => ({
  description,
  content: { 'application/json': { schema } },
});

const errors = (refused: string) => ({
  400: jsonAnswer('Malformed request, or a passkey that does not verify', OAuthErrorSchema),
  401: jsonAnswer(refused, OAuthErrorSchema),
  403: jsonAnswer('Missing or wrong CSRF token', OAuthErrorSchema),
});

export const registrationOptionsRoute = createRoute({
  hide: true,
  method: 'post',
  path: `${BASE}/registration/options`,
  tags: ['Sign-in'],
  summary: 'Passkey registration options',
  description:
    'PublicKeyCredentialCreationOptionsJSON for navigator.credentials.create: residentKey required, user verification required, the user’s passkeys excluded. Signed in within the last 5 minutes only.',
  request: { headers: csrfHeader },
  responses: {
    200: jsonAnswer('The creation options', OptionsSchema),
    ...errors('Not signed in, or signed in too long ago (login_required)'),
  },
});

export const registrationRoute = createRoute({
  hide: true,
  method: 'post',
  path: `${BASE}/registration`,
  tags: ['Sign-in'],
  summary: 'Register a passkey',
  description:
    'Verifies the attestation (format none or any, the key is what counts) and stores the passkey.',
  request: { headers: csrfHeader, body: jsonBody(RegistrationResponseSchema) },
  responses: {
    201: jsonAnswer(
      'The passkey was added',
      z.object({ name: z.string(), credential_id: z.string() }).openapi('PasskeyAdded'),
    ),
    ...errors('Not signed in, or signed in too long ago (login_required)'),
  },
});

export const authenticationOptionsRoute = createRoute({
  hide: true,
  method: 'post',
  path: `${BASE}/authentication/options`,
  tags: ['Sign-in'],
  summary: 'Passkey sign-in options',
  description:
    'PublicKeyCredentialRequestOptionsJSON for navigator.credentials.get: no allowCredentials (discoverable credentials), user verification required.',
  request: { headers: csrfHeader },
  responses: { 200: jsonAnswer('The request options', OptionsSchema), ...errors('Not used') },
});

export const authenticationRoute = createRoute({
  hide: true,
  method: 'post',
  path: `${BASE}/authentication`,
  tags: ['Sign-in'],
  summary: 'Sign in with a passkey',
  description:
    'Verifies the assertion and signs the browser in; answers where to go next, as the password form would redirect.',
  request: { headers: csrfHeader, body: jsonBody(AuthenticationResponseSchema) },
  responses: {
    200: jsonAnswer(
      'Signed in',
      z.object({ redirect: z.string() }).openapi('PasskeySignedIn', { description: 'Navigate there' }),
    ),
    ...errors('The passkey did not sign anyone in (access_denied)'),
    429: jsonAnswer('Too many failed sign-ins from this address', OAuthErrorSchema),
  },
});

/**
 * Trusted issuers for administrators: the parties whose signed assertions (RFC 7523 §2.1) clients may
 * trade for access tokens at /oauth/token (src/oauth/grants/jwt-bearer.ts). Each names the `iss` of its
 * assertions, its keys (an inline JWK Set of public keys, or a `jwks_uri` fetched through the outbound
 * policy), the subjects and scopes it may vouch for, and an optional extra accepted audience. Shared by the
 * JSON API, the admin pages and the MCP tools; every change is audited.
 */
import { z } from 'zod';
import { randomId } from '../crypto/random';
import { jwksUriProblem } from '../oauth/client-auth/assertion-jwks';
import { InvalidRequestError, NotFoundError } from '../oauth/errors';
import { UNGRANTABLE_SCOPES } from '../oauth/grants/jwt-bearer';
import { jwkSet, outboundUrl } from '../oauth/registration/metadata';
import { isScopeToken } from '../oauth/scopes/scope';
import type { TrustedIssuerRecord } from '../storage/ports';
import { recordAudit } from './audit';
import type { AdminContext } from './context';
import { type PageView, pageOf, pageSchema, parsePageQuery, type Query } from './paging';
import { conflictAs, parseInput } from './validation';

/** Another trusted issuer has the issuer: 409. */
const TAKEN = 'a trusted issuer with this issuer exists';

/** The `allowed_subjects` entry that admits any subject. */
export const ANY_SUBJECT = '*';
const MAX_SUBJECTS = 100;
const MAX_SCOPES = 64;

const text = (max: number) => z.string('must be a string').trim().min(1, 'must not be empty').max(max);

export const TrustedIssuerInputSchema = z
  .strictObject({
    issuer: text(500).meta({ description: 'The iss its assertions carry (compared exactly)' }),
    jwks: jwkSet.optional().meta({ description: 'Its JWK Set (public keys only); or jwks_uri' }),
    jwks_uri: outboundUrl.optional().meta({ description: 'Where its JWK Set is fetched; or jwks' }),
    allowed_subjects: z
      .array(text(255))
      .min(1, 'must list at least one subject, or "*"')
      .max(MAX_SUBJECTS, `must list at most ${MAX_SUBJECTS} subjects`)
      .meta({ description: 'The exact sub values it may assert, or ["*"] for any' }),
    allowed_scopes: z
      .array(
        z
          .string('must be a string')
          .refine(isScopeToken, 'must be an RFC 6749 scope token')
          .refine(
            (scope) => !UNGRANTABLE_SCOPES.has(scope),
            'admin and the OpenID user scopes cannot be granted',
          ),
      )
      .max(MAX_SCOPES, `must list at most ${MAX_SCOPES} scopes`)
      .meta({
        description: 'The most its assertions obtain (further narrowed by the client and the request)',
      }),
    audience: text(500)
      .nullable()
      .optional()
      .meta({ description: 'One more accepted aud, beside the token endpoint URL and the issuer' }),
    enabled: z.boolean('must be true or false').optional().meta({ description: 'Default true' }),
  })
  .meta({ id: 'TrustedIssuerInput' });

export const TrustedIssuerViewSchema = z
  .object({
    id: z.string(),
    issuer: z.string(),
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).nullable(),
    jwks_uri: z.string().nullable(),
    allowed_subjects: z.array(z.string()),
    allowed_scopes: z.array(z.string()),
    audience: z.string().nullable(),
    enabled: z.boolean(),
    created_at: z.number().int(),
    updated_at: z.number().int(),
  })
  .meta({ id: 'TrustedIssuer' });

export const TrustedIssuerPageSchema = pageSchema(TrustedIssuerViewSchema, 'TrustedIssuerPage');
export type TrustedIssuerView = z.output<typeof TrustedIssuerViewSchema>;
type TrustedIssuerInput = z.output<typeof TrustedIssuerInputSchema>;

export function trustedIssuerView(record: TrustedIssuerRecord): TrustedIssuerView {
  return {
    id: record.id,
    issuer: record.issuer,
    jwks: record.jwks,
    jwks_uri: record.jwksUri,
    allowed_subjects: record.allowedSubjects,
    allowed_scopes: record.allowedScopes,
    audience: record.audience,
    enabled: record.enabled,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
  };
}

/** The trusted issuers, newest first. */
export async function listTrustedIssuers(
  ctx: AdminContext,
  query: Query,
): Promise<PageView<TrustedIssuerView>> {
  return pageOf(() => ctx.storage.trustedIssuers.list(parsePageQuery(query)), trustedIssuerView);
}

async function existing(ctx: AdminContext, id: string): Promise<TrustedIssuerRecord> {
  const record = id.length <= 255 ? await ctx.storage.trustedIssuers.get(id) : null;
  if (!record) throw new NotFoundError('no such trusted issuer');
  return record;
}

export async function getTrustedIssuer(ctx: AdminContext, id: string): Promise<TrustedIssuerView> {
  return trustedIssuerView(await existing(ctx, id));
}

/** Checks what the schema alone cannot: exactly one key source, `*` alone, not this server itself. */
function checkInput(ctx: AdminContext, input: TrustedIssuerInput): void {
  if ((input.jwks === undefined) === (input.jwks_uri === undefined)) {
    throw new InvalidRequestError('invalid jwks: exactly one of jwks and jwks_uri is required');
  }
  const uriProblem =
    input.jwks_uri === undefined ? null : jwksUriProblem(input.jwks_uri, ctx.config.outbound);
  if (uriProblem) throw new InvalidRequestError(`invalid jwks_uri: ${uriProblem}`);
  if (input.issuer === ctx.issuer) {
    throw new InvalidRequestError('invalid issuer: names this server itself');
  }
  const subjects = input.allowed_subjects;
  if (subjects.includes(ANY_SUBJECT) && subjects.length > 1) {
    throw new InvalidRequestError('invalid allowed_subjects: "*" stands alone');
  }
}

function toRecord(
  input: TrustedIssuerInput,
  id: string,
  createdAt: number,
  now: number,
): TrustedIssuerRecord {
  return {
    id,
    issuer: input.issuer,
    jwks: (input.jwks as TrustedIssuerRecord['jwks'] | undefined) ?? null,
    jwksUri: input.jwks_uri ?? null,
    allowedSubjects: [...new Set(input.allowed_subjects)],
    allowedScopes: [...new Set(input.allowed_scopes)],
    audience: input.audience ?? null,
    enabled: input.enabled ?? true,
    createdAt,
    updatedAt: now,
  };
}

/** Adds a trusted issuer (201). */
export async function createTrustedIssuer(ctx: AdminContext, body: unknown): Promise<TrustedIssuerView> {
  const input = parseInput(TrustedIssuerInputSchema, body);
  checkInput(ctx, input);
  const now = ctx.clock.nowSecs();
  const record = toRecord(input, randomId(), now, now);
  await conflictAs(TAKEN, () => ctx.storage.trustedIssuers.create(record));
  await recordAudit(ctx, 'trusted_issuer.create', { kind: 'trusted_issuer', id: record.id }, auditOf(record));
  return trustedIssuerView(record);
}

/** Replaces a trusted issuer (every field). */
export async function updateTrustedIssuer(
  ctx: AdminContext,
  id: string,
  body: unknown,
): Promise<TrustedIssuerView> {
  const input = parseInput(TrustedIssuerInputSchema, body);
  const before = await existing(ctx, id);
  checkInput(ctx, input);
  const record = toRecord(input, id, before.createdAt, ctx.clock.nowSecs());
  if (!(await conflictAs(TAKEN, () => ctx.storage.trustedIssuers.update(record)))) {
    throw new NotFoundError('no such trusted issuer');
  }
  await recordAudit(ctx, 'trusted_issuer.update', { kind: 'trusted_issuer', id }, auditOf(record));
  return trustedIssuerView(record);
}

/** Deletes a trusted issuer: its assertions are refused from the next request on. */
export async function deleteTrustedIssuer(ctx: AdminContext, id: string): Promise<void> {
  const before = await existing(ctx, id);
  if (!(await ctx.storage.trustedIssuers.delete(id))) throw new NotFoundError('no such trusted issuer');
  await recordAudit(ctx, 'trusted_issuer.delete', { kind: 'trusted_issuer', id }, { issuer: before.issuer });
}

function auditOf(record: TrustedIssuerRecord): Record<string, unknown> {
  return { issuer: record.issuer, enabled: record.enabled };
}

/**
 * Signing keys for administrators: metadata and public parts only (never private material, not even
 * encrypted), and rotation through the KeyRing actor. After a rotation the new keys sign at once in this
 * isolate; other isolates pick them up within their key cache refresh (60 s), and every token signed by
 * a replaced key keeps verifying while that key is `retiring`.
 */
import { z } from 'zod';
import type { SigningKeyRecord } from '../storage/ports';
import { announceAudit, auditEntry } from './audit';
import type { AdminContext } from './context';
import type { PageView } from './paging';

/** JWK members that carry private key material (RFC 7518 §6). */
const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']);

export const SigningKeyViewSchema = z
  .object({
    kid: z.string(),
    alg: z.string().meta({ example: 'ES256' }),
    use: z.enum(['access_token', 'id_token']),
    status: z.enum(['next', 'active', 'retiring', 'retired']).meta({
      description:
        'next is published before it signs (scheduled rotation); active signs; retiring only verifies until retires_at; retired is kept for the record',
    }),
    created_at: z.number().int().meta({ description: 'Unix time, seconds' }),
    retires_at: z.number().int().nullable(),
    public_jwk: z.record(z.string(), z.unknown()).meta({ description: 'The public JWK (RFC 7517)' }),
  })
  .meta({ id: 'SigningKey' });

export const SigningKeyListSchema = z
  .object({
    items: z.array(SigningKeyViewSchema),
    next_cursor: z.null().meta({ description: 'Always null: every key is listed' }),
  })
  .meta({ id: 'SigningKeyList' });

export type SigningKeyView = z.output<typeof SigningKeyViewSchema>;

export function signingKeyView(key: SigningKeyRecord): SigningKeyView {
  let jwk: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(key.publicJwk);
    if (typeof parsed === 'object' && parsed !== null) jwk = parsed as Record<string, unknown>;
  } catch {
    // A corrupt record shows an empty JWK rather than failing the listing.
  }
  const publicJwk = Object.fromEntries(
    Object.entries(jwk).filter(([member]) => !PRIVATE_MEMBERS.has(member)),
  );
  return {
    kid: key.kid,
    alg: key.alg,
    use: key.use,
    status: key.status,
    created_at: key.createdAt,
    retires_at: key.retiresAt,
    public_jwk: publicJwk,
  };
}

/** Every signing key, newest first (the list is short: three per rotation). */
export async function listSigningKeys(
  ctx: AdminContext,
): Promise<PageView<SigningKeyView> & { next_cursor: null }> {
  const keys = await ctx.storage.signingKeys.list();
  return { items: keys.map(signingKeyView), next_cursor: null };
}

/** Rotates every key use; answers the keys now published (new active ones first). */
export async function rotateSigningKeys(
  ctx: AdminContext,
): Promise<PageView<SigningKeyView> & { next_cursor: null }> {
  const audit = auditEntry(ctx, 'key.rotate', { kind: 'signing_key', id: null });
  const published = await ctx.keyRing.rotate(audit);
  const activeKids = published.filter((key) => key.status === 'active').map((key) => key.kid);
  // As the KeyRing stored it, with the new keys, in one change.
  await announceAudit(ctx, { ...audit, metadata: { active_kids: activeKids.sort(), ...audit.metadata } });
  const ordered = [...published].sort((a, b) => b.createdAt - a.createdAt || (a.kid < b.kid ? 1 : -1));
  return { items: ordered.map(signingKeyView), next_cursor: null };
}

/**
 * The live grants behind a logout (OIDC Back-Channel and Front-Channel Logout 1.0): those of a user, or of
 * one of its sign-ins (`sid`), that are still active. Bounded, so that a user with very many grants cannot
 * make a logout slow: at most MAX_GRANT_PAGES pages of 100, newest first.
 */
import type { OAuthContext } from '../oauth/ports';
import type { GrantRecord } from '../storage/ports';

/** Grants looked at per logout: at most this many pages of 100 (a user's live grants). */
const MAX_GRANT_PAGES = 10;

/** The active grants of `userId` (of its sign-in `sid` when given). */
export async function liveGrants(
  ctx: Pick<OAuthContext, 'storage' | 'clock'>,
  of: { userId: string; sid?: string | undefined },
): Promise<GrantRecord[]> {
  const grants: GrantRecord[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_GRANT_PAGES; page++) {
    const listed = await ctx.storage.grants.list({
      userId: of.userId,
      sid: of.sid,
      activeAt: ctx.clock.nowSecs(),
      limit: 100,
      cursor,
    });
    grants.push(...listed.items);
    if (listed.nextCursor === null) break;
    cursor = listed.nextCursor;
  }
  return grants;
}

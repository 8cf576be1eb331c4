/**
 * OpenID Connect Front-Channel Logout 1.0: when a browser session ends at RP-initiated logout, the page
 * that follows loads each client's registered `frontchannel_logout_uri` in a hidden iframe (§2), with
 * `iss` and `sid` query parameters when the client registered `frontchannel_logout_session_required`
 * (§2: `sid` of the ended session; its ID tokens carry the same `sid`). The clients are those with a live
 * grant made in that session (`grants.sid`), as for back-channel logout.
 */
import type { OAuthContext } from '../oauth/ports';
import { liveGrants } from './live-grants';

/** Frames rendered at most on one page. */
const MAX_FRAMES = 20;

/** One iframe of the logout page: the URL it loads and that URL's origin (for CSP `frame-src`). */
export interface FrontchannelFrame {
  src: string;
  origin: string;
}

/**
 * The front-channel logout frames of the session `sid` of `userId`, to read before (or right after) it
 * ends. Never throws: signing out must not fail because of this (no frames then).
 */
export async function frontchannelLogoutFrames(
  ctx: Pick<OAuthContext, 'storage' | 'clients' | 'clock' | 'issuer'>,
  ended: { userId: string; sid: string },
): Promise<FrontchannelFrame[]> {
  try {
    const clientIds = new Set((await liveGrants(ctx, ended)).map((grant) => grant.clientId));
    const frames: FrontchannelFrame[] = [];
    for (const clientId of clientIds) {
      const client = await ctx.clients.get(clientId);
      const uri = client?.metadata.frontchannel_logout_uri;
      if (!client?.enabled || typeof uri !== 'string') continue;
      const url = URL.parse(uri);
      if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) continue;
      if (client.metadata.frontchannel_logout_session_required === true) {
        url.searchParams.append('iss', ctx.issuer);
        url.searchParams.append('sid', ended.sid);
      }
      frames.push({ src: url.toString(), origin: url.origin });
      if (frames.length >= MAX_FRAMES) break;
    }
    return frames;
  } catch (error) {
    const reason = error instanceof Error ? error.name : 'unknown error';
    console.error(
      JSON.stringify({ level: 'error', msg: 'front-channel logout frames not read', error: reason }),
    );
    return [];
  }
}

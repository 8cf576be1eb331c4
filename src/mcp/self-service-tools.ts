/**
 * The /mcp tools every signed-in user may call with their own token, whatever its scope: who they are,
 * which apps hold access to their account, and revoking one of those (the "Connected apps" of /profile).
 * They act on the caller's own account only; the admin tools (mcp-server/src/tools) need scope `admin`.
 */
import { z } from 'zod';
import { failure } from '../../mcp-server/src/api/response';
import { defineTool, type ToolDefinition, type ToolOutcome } from '../../mcp-server/src/tool';
import { getOpenidConfig } from '../../mcp-server/src/tools/get-openid-config';
import type { ConnectedApp } from '../account/connected-apps';
import { OAuthError } from '../oauth/errors';

/** The caller's own account, as the self-service tools reach it. */
export interface AccountPort {
  profile(): Promise<Record<string, unknown>>;
  connectedApps(): Promise<ConnectedApp[]>;
  revoke(grantId: string): Promise<Record<string, unknown>>;
}

const ConnectedAppSchema = z.looseObject({
  grant_id: z.string(),
  client_id: z.string(),
  client_name: z.string().nullable(),
  scope: z.string(),
  created_at: z.number().int(),
  expires_at: z.number().int(),
});

/** An expected failure (unknown grant, ...) as an isError result, like the admin tools' server errors. */
async function outcome(work: () => Promise<Record<string, unknown>>): Promise<ToolOutcome> {
  try {
    return { ok: true, structured: await work() };
  } catch (error) {
    if (error instanceof OAuthError) return failure(error.error, error.message, error.status);
    throw error;
  }
}

/** The self-service tools for one caller's account. */
export function selfServiceTools(account: AccountPort): ToolDefinition[] {
  const tools = [
    defineTool({
      name: 'get_my_profile',
      title: 'My profile',
      description:
        'The signed-in user this connection acts for: id, username, name, e-mail, role, and the scopes ' +
        'of the access token (admin tools need scope admin).',
      inputSchema: {},
      outputSchema: z.looseObject({ id: z.string(), username: z.string(), scope: z.string() }),
      annotations: { readOnlyHint: true, openWorldHint: false },
      run: () => outcome(() => account.profile()),
    }),
    defineTool({
      name: 'list_my_grants',
      title: 'My connected apps',
      description:
        'The apps holding access to my account: one live grant (an authorization and its refresh ' +
        'tokens) per entry, newest first, with the client and the scopes granted.',
      inputSchema: {},
      outputSchema: z.looseObject({ items: z.array(ConnectedAppSchema) }),
      annotations: { readOnlyHint: true, openWorldHint: false },
      run: () => outcome(async () => ({ items: await account.connectedApps() })),
    }),
    defineTool({
      name: 'revoke_my_grant',
      title: 'Disconnect an app',
      description:
        'Revokes one of my grants (see list_my_grants): its access tokens become inactive and its refresh ' +
        'tokens stop working. Revoking this connection’s own grant ends this connection.',
      inputSchema: { grant_id: z.string().min(1).max(255).describe('The grant’s id (see list_my_grants)') },
      outputSchema: z.looseObject({ grant_id: z.string(), status: z.string() }),
      annotations: { destructiveHint: true, idempotentHint: true, openWorldHint: false },
      run: ({ grant_id }) => outcome(() => account.revoke(grant_id)),
    }),
  ];
  return tools as unknown as ToolDefinition[];
}

/** Server metadata: offered to every caller. */
export const METADATA_TOOLS = [getOpenidConfig] as unknown as readonly ToolDefinition[];

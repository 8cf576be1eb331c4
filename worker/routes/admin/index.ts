/** The admin JSON API under /admin/api (every route behind the AdminGuard, every route in the OpenAPI document). */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../context';
import { registerAdminAuditRoutes } from './audit';
import { registerAdminClientRoutes } from './clients';
import { registerAdminSecuritySchemes } from './common';
import { registerAdminDashboardRoutes } from './dashboard';
import { registerAdminDenylistRoutes } from './denylist';
import { registerAdminDeviceAuthorizationRoutes } from './device-authorizations';
import { registerAdminGrantRoutes } from './grants';
import { registerAdminKeyRoutes } from './keys';
import { registerAdminResourceRoutes } from './resources';
import { registerAdminScopeRoutes } from './scopes';
import { registerAdminTrustedIssuerRoutes } from './trusted-issuers';
import { registerAdminUserRoutes } from './users';

export function registerAdminApiRoutes(app: OpenAPIHono<AppEnv>): void {
  registerAdminSecuritySchemes(app);
  registerAdminDashboardRoutes(app);
  registerAdminClientRoutes(app);
  registerAdminUserRoutes(app);
  registerAdminGrantRoutes(app);
  registerAdminKeyRoutes(app);
  registerAdminDenylistRoutes(app);
  registerAdminScopeRoutes(app);
  registerAdminResourceRoutes(app);
  registerAdminDeviceAuthorizationRoutes(app);
  registerAdminTrustedIssuerRoutes(app);
  registerAdminAuditRoutes(app);
}

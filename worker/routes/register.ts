/** POST /connect/register and GET/PUT/DELETE /connect/register/{client_id} (RFC 7591 / RFC 7592). */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../context';

export function registerRegistrationRoutes(_app: OpenAPIHono<AppEnv>): void {}

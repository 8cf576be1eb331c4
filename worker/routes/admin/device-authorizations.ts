/** /admin/api/device-authorizations: the pending RFC 8628 device authorizations; expire one. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  DeviceAuthorizationPageSchema,
  expireDeviceAuthorization,
  listDeviceAuthorizations,
} from '../../../src/admin/device-authorizations';
import type { AppEnv } from '../../context';
import { registerListing, registerPath } from './collection';
import { ADMIN_API } from './common';

const DEVICE_AUTHORIZATIONS = `${ADMIN_API}/device-authorizations`;

export function registerAdminDeviceAuthorizationRoutes(app: OpenAPIHono<AppEnv>): void {
  registerListing(app, DEVICE_AUTHORIZATIONS, {
    summary: 'List pending device authorizations',
    description:
      'RFC 8628 device authorizations neither approved, denied nor expired, newest first. Never a device code.',
    reply: ['A page of device authorizations', DeviceAuthorizationPageSchema],
    run: listDeviceAuthorizations,
  });
  registerPath(app, {
    method: 'delete',
    path: `${DEVICE_AUTHORIZATIONS}/{user_code}`,
    param: ['user_code', 'The user code, any case, with or without the dash'],
    summary: 'Expire a pending device authorization',
    description:
      "The device's next poll answers expired_token and the user code can no longer be approved. 404 when no authorization of that code is pending.",
    reply: 'Expired',
    run: (ctx, { id }) => expireDeviceAuthorization(ctx, id),
  });
}

/** /admin/device-authorizations: the pending RFC 8628 device authorizations; expire one (confirmed). */
import type { Context, Hono } from 'hono';
import {
  expireDeviceAuthorization,
  getPendingDevice,
  listDeviceAuthorizations,
} from '../../../src/admin/device-authorizations';
import {
  DEVICE_AUTHORIZATIONS_PATH,
  DeviceAuthorizationListPage,
} from '../../../templates/admin/device-authorizations';
import type { AppEnv } from '../../context';
import { adminContext } from '../../http/admin-context';
import { listing, render, seeOther } from './common';
import { registerConfirmedAction } from './confirm';

function userCodeOf(c: Context<AppEnv>): string {
  return c.req.param('user_code') ?? '';
}

export function registerDeviceAuthorizationPages(app: Hono<AppEnv>): void {
  app.get(DEVICE_AUTHORIZATIONS_PATH, async (c) => {
    const { props } = await listing(c, 'device-authorizations', listDeviceAuthorizations);
    const now = adminContext(c).clock.nowSecs();
    return render(c, DeviceAuthorizationListPage({ ...props, now }));
  });

  registerConfirmedAction(app, `${DEVICE_AUTHORIZATIONS_PATH}/:user_code/expire`, {
    section: 'device-authorizations',
    async describe(c) {
      const device = await getPendingDevice(adminContext(c), userCodeOf(c));
      return {
        title: 'Expire this device authorization?',
        message: `The device of client ${device.client_id} waiting with user code ${device.user_code} (scope: ${device.scope || 'none'}) gets expired_token at its next poll, and the code can no longer be approved. The device must start again.`,
        confirmLabel: 'Expire',
        cancelHref: DEVICE_AUTHORIZATIONS_PATH,
      };
    },
    async perform(c) {
      const device = await getPendingDevice(adminContext(c), userCodeOf(c));
      await expireDeviceAuthorization(adminContext(c), device.user_code);
      return seeOther(c, DEVICE_AUTHORIZATIONS_PATH, {
        notice: `Device authorization ${device.user_code} expired.`,
      });
    },
  });
}

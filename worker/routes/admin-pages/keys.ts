/** /admin/keys: the signing keys (public parts, status, dates) and their rotation (confirmed first). */
import type { Hono } from 'hono';
import { listSigningKeys, rotateSigningKeys } from '../../../src/admin';
import { KeysPage } from '../../../templates/admin/keys';
import type { AppEnv } from '../../context';
import { adminContext } from '../../http/admin-context';
import { pageChrome, render, seeOther } from './common';
import { registerConfirmedAction } from './confirm';

export function registerKeyPages(app: Hono<AppEnv>): void {
  app.get('/admin/keys', async (c) => {
    const keys = await listSigningKeys(adminContext(c));
    const { chrome } = await pageChrome(c, 'keys');
    return render(c, KeysPage({ chrome, keys: keys.items }));
  });

  registerConfirmedAction(app, '/admin/keys/rotate', {
    section: 'keys',
    async describe() {
      return {
        title: 'Rotate the signing keys?',
        message:
          'New keys sign access tokens and ID tokens from now on. The current keys keep verifying the tokens they signed until those expire, so nobody is signed out.',
        confirmLabel: 'Rotate keys',
        cancelHref: '/admin/keys',
      };
    },
    async perform(c) {
      const published = await rotateSigningKeys(adminContext(c));
      const active = published.items.filter((key) => key.status === 'active').map((key) => key.kid);
      return seeOther(c, '/admin/keys', { notice: `Keys rotated. Now signing with ${active.join(', ')}.` });
    },
  });
}

/** The signing keys page: public parts, status and dates of every key; rotation (after a confirmation). */
import type { SigningKeyView } from '../../src/admin';
import { Badge, TableFrame, Time } from './components';
import { type AdminChrome, AdminLayout } from './layout';

export interface KeysPageProps {
  chrome: AdminChrome;
  keys: SigningKeyView[];
}

const USES: Record<SigningKeyView['use'], string> = {
  access_token: 'access tokens',
  id_token: 'ID tokens',
};

function StatusBadge({ status }: { status: SigningKeyView['status'] }) {
  if (status === 'active') return <Badge tone="ok">active</Badge>;
  if (status === 'retiring') return <Badge tone="warn">retiring</Badge>;
  if (status === 'next') return <Badge tone="plain">next (published, not signing yet)</Badge>;
  return <Badge tone="plain">retired</Badge>;
}

export function KeysPage({ chrome, keys }: KeysPageProps) {
  return (
    <AdminLayout chrome={chrome} title="Signing keys">
      <p class="muted">
        Active keys sign new tokens; retiring keys only verify tokens they signed until those expire. Only
        public key material is shown. The published set is at{' '}
        <a href="/.well-known/jwks.json">/.well-known/jwks.json</a>.
      </p>
      <p>
        <a class="button" href="/admin/keys/rotate">
          Rotate keys…
        </a>
      </p>
      <TableFrame
        caption="Signing keys"
        count={keys.length}
        empty="No signing keys yet: they are created on first use."
        columns={['Key ID', 'Signs', 'Algorithm', 'Status', 'Created', 'Retires', 'Public key']}
      >
        {keys.map((key) => (
          <tr>
            <td class="id">
              <code>{key.kid}</code>
            </td>
            <td>{USES[key.use]}</td>
            <td>{key.alg}</td>
            <td>
              <StatusBadge status={key.status} />
            </td>
            <td>
              <Time secs={key.created_at} />
            </td>
            <td>
              <Time secs={key.retires_at} />
            </td>
            <td>
              <details>
                <summary>JWK</summary>
                <pre>{JSON.stringify(key.public_jwk, null, 2)}</pre>
              </details>
            </td>
          </tr>
        ))}
      </TableFrame>
    </AdminLayout>
  );
}

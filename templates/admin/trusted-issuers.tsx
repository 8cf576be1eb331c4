/**
 * The trusted issuer pages (JWT bearer grant, RFC 7523 §2.1): the list, the create form, and one issuer
 * with its edit form. Keys are shown as the administrator gave them (public keys only).
 */
import type { TrustedIssuerView } from '../../src/admin/trusted-issuers';
import {
  Checkbox,
  CodeLink,
  EnabledBadge,
  type FormError,
  ListToolbar,
  TextArea,
  TextField,
} from './components';
import { CreatePage, ListPage, RecordPage } from './frames';
import type { AdminChrome } from './layout';

/** The form as the administrator filled it in (kept when a change is refused). */
export interface TrustedIssuerFormValues {
  issuer: string;
  /** A JWK Set as JSON text, or empty when `jwks_uri` is given. */
  jwks: string;
  jwks_uri: string;
  /** One subject per line, or `*`. */
  allowed_subjects: string;
  /** Space-separated scope names. */
  allowed_scopes: string;
  audience: string;
  enabled: boolean;
}

/** One issuer's page; its id is random (22 base64url characters), never `new`. */
export const trustedIssuerPath = (id: string) => `/admin/trusted-issuers/${encodeURIComponent(id)}`;

function TrustedIssuerFields({
  values,
  error,
}: {
  values: TrustedIssuerFormValues;
  error: FormError | null;
}) {
  return (
    <>
      <TextField
        name="issuer"
        label="Issuer"
        hint="The iss its assertions carry, exactly (e.g. https://idp.example.com)."
        value={values.issuer}
        error={error}
        maxlength={500}
        spellcheck={false}
      />
      <TextArea
        name="jwks"
        label="JWK Set"
        hint='Its public keys as JSON ({"keys": [...]}); or leave empty and give a JWK Set URL.'
        value={values.jwks}
        error={error}
        rows={6}
      />
      <TextField
        name="jwks_uri"
        label="JWK Set URL"
        hint="Where its keys are fetched (https); or leave empty and paste the JWK Set."
        value={values.jwks_uri}
        error={error}
        maxlength={2000}
        spellcheck={false}
      />
      <TextArea
        name="allowed_subjects"
        label="Allowed subjects"
        hint="The sub values it may assert, one per line; * alone for any."
        value={values.allowed_subjects}
        error={error}
        rows={4}
      />
      <TextField
        name="allowed_scopes"
        label="Allowed scopes"
        hint="Space-separated; further narrowed by the client's scopes and the request. Never admin or the OpenID scopes."
        value={values.allowed_scopes}
        error={error}
        maxlength={2000}
        spellcheck={false}
      />
      <TextField
        name="audience"
        label="Extra audience"
        hint="Optional: one more aud its assertions may name, beside the token endpoint URL and this server's issuer."
        value={values.audience}
        error={error}
        maxlength={500}
        spellcheck={false}
      />
      <Checkbox name="enabled" label="Enabled (its assertions are accepted)" checked={values.enabled} />
    </>
  );
}

function Keys({ issuer }: { issuer: TrustedIssuerView }) {
  if (issuer.jwks_uri !== null) return <code>{issuer.jwks_uri}</code>;
  return <>{issuer.jwks?.keys.length ?? 0} inline key(s)</>;
}

export interface TrustedIssuerListPageProps {
  chrome: AdminChrome;
  items: TrustedIssuerView[];
  cursor: string | undefined;
  nextCursor: string | null;
}

export function TrustedIssuerListPage(props: TrustedIssuerListPageProps) {
  return (
    <ListPage
      chrome={props.chrome}
      title="Trusted issuers"
      header={<ListToolbar newHref="/admin/trusted-issuers/new" newLabel="New trusted issuer" />}
      caption="Trusted issuers"
      columns={['Issuer', 'Keys', 'Subjects', 'Scopes', 'Status']}
      empty="No trusted issuers yet."
      count={props.items.length}
      path="/admin/trusted-issuers"
      page={props}
    >
      {props.items.map((issuer) => (
        <tr>
          <td class="id">
            <CodeLink href={trustedIssuerPath(issuer.id)}>{issuer.issuer}</CodeLink>
          </td>
          <td>
            <Keys issuer={issuer} />
          </td>
          <td>{issuer.allowed_subjects.join(' ')}</td>
          <td>{issuer.allowed_scopes.join(' ') || '—'}</td>
          <td>
            <EnabledBadge enabled={issuer.enabled} />
          </td>
        </tr>
      ))}
    </ListPage>
  );
}

export interface TrustedIssuerCreatePageProps {
  chrome: AdminChrome;
  values: TrustedIssuerFormValues;
  error: FormError | null;
}

export function TrustedIssuerCreatePage(props: TrustedIssuerCreatePageProps) {
  return (
    <CreatePage
      chrome={props.chrome}
      title="New trusted issuer"
      listPath="/admin/trusted-issuers"
      listLabel="Trusted issuers"
      error={props.error}
      submitLabel="Trust issuer"
    >
      <TrustedIssuerFields values={props.values} error={props.error} />
    </CreatePage>
  );
}

export interface TrustedIssuerPageProps extends TrustedIssuerCreatePageProps {
  issuer: TrustedIssuerView;
}

/** One trusted issuer: its facts, the way to delete it, and the edit form. */
export function TrustedIssuerPage({ chrome, issuer, values, error }: TrustedIssuerPageProps) {
  return (
    <RecordPage
      chrome={chrome}
      title={issuer.issuer}
      listPath="/admin/trusted-issuers"
      listLabel="Trusted issuers"
      error={error}
      path={trustedIssuerPath(issuer.id)}
      readOnly={false}
      readOnlyNote={null}
      facts={
        <>
          <dt>Issuer</dt>
          <dd>
            <code>{issuer.issuer}</code>
          </dd>
          <dt>Keys</dt>
          <dd>
            <Keys issuer={issuer} />
          </dd>
          <dt>Allowed subjects</dt>
          <dd>{issuer.allowed_subjects.join(' ')}</dd>
          <dt>Allowed scopes</dt>
          <dd>{issuer.allowed_scopes.join(' ') || '—'}</dd>
          <dt>Extra audience</dt>
          <dd>{issuer.audience ?? '—'}</dd>
          <dt>Status</dt>
          <dd>
            <EnabledBadge enabled={issuer.enabled} />
          </dd>
        </>
      }
      updatedAt={issuer.updated_at}
    >
      <TrustedIssuerFields values={values} error={error} />
    </RecordPage>
  );
}

/**
 * The trusted issuer pages (JWT bearer grant, RFC 7523 §2.1): the list, the create form, and one issuer
 * with its edit form. Keys are shown as the administrator gave them (public keys only).
 */
import type { TrustedIssuerView } from '../../src/admin/trusted-issuers';
import { Checkbox, CodeLink, EnabledBadge, FieldList, type FieldSpec, type FormError } from './components';
import { collectionPages } from './frames';

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

const TRUSTED_ISSUER_FIELDS: FieldSpec<TrustedIssuerFormValues>[] = [
  {
    name: 'issuer',
    label: 'Issuer',
    hint: 'The iss its assertions carry, exactly (e.g. https://idp.example.com).',
    maxlength: 500,
    spellcheck: false,
  },
  {
    name: 'jwks',
    label: 'JWK Set',
    hint: 'Its public keys as JSON ({"keys": [...]}); or leave empty and give a JWK Set URL.',
    rows: 6,
  },
  {
    name: 'jwks_uri',
    label: 'JWK Set URL',
    hint: 'Where its keys are fetched (https); or leave empty and paste the JWK Set.',
    maxlength: 2000,
    spellcheck: false,
  },
  {
    name: 'allowed_subjects',
    label: 'Allowed subjects',
    hint: 'The sub values it may assert, one per line; * alone for any.',
    rows: 4,
  },
  {
    name: 'allowed_scopes',
    label: 'Allowed scopes',
    hint: "Space-separated; further narrowed by the client's scopes and the request. Never admin or the OpenID scopes.",
    maxlength: 2000,
    spellcheck: false,
  },
  {
    name: 'audience',
    label: 'Extra audience',
    hint: "Optional: one more aud its assertions may name, beside the token endpoint URL and this server's issuer.",
    maxlength: 500,
    spellcheck: false,
  },
];

function TrustedIssuerFields({
  values,
  error,
}: {
  values: TrustedIssuerFormValues;
  error: FormError | null;
}) {
  return (
    <>
      <FieldList fields={TRUSTED_ISSUER_FIELDS} values={values} error={error} />
      <Checkbox name="enabled" label="Enabled (its assertions are accepted)" checked={values.enabled} />
    </>
  );
}

function Keys({ issuer }: { issuer: TrustedIssuerView }) {
  if (issuer.jwks_uri !== null) return <code>{issuer.jwks_uri}</code>;
  return <>{issuer.jwks?.keys.length ?? 0} inline key(s)</>;
}

/** The trusted issuer pages: the listing, the create form, and one issuer. */
export const TRUSTED_ISSUER_PAGES = collectionPages<TrustedIssuerView, TrustedIssuerFormValues>({
  collection: {
    title: 'Trusted issuers',
    path: '/admin/trusted-issuers',
    newLabel: 'New trusted issuer',
    createLabel: 'Trust issuer',
  },
  columns: [
    {
      heading: 'Issuer',
      class: 'id',
      cell: (issuer) => <CodeLink href={trustedIssuerPath(issuer.id)}>{issuer.issuer}</CodeLink>,
    },
    { heading: 'Keys', cell: (issuer) => <Keys issuer={issuer} /> },
    { heading: 'Subjects', cell: (issuer) => issuer.allowed_subjects.join(' ') },
    { heading: 'Scopes', cell: (issuer) => issuer.allowed_scopes.join(' ') || '—' },
    { heading: 'Status', cell: (issuer) => <EnabledBadge enabled={issuer.enabled} /> },
  ],
  empty: 'No trusted issuers yet.',
  fields: TrustedIssuerFields,
  record: (issuer) => ({
    title: issuer.issuer,
    path: trustedIssuerPath(issuer.id),
    facts: [
      ['Issuer', <code>{issuer.issuer}</code>],
      ['Keys', <Keys issuer={issuer} />],
      ['Allowed subjects', issuer.allowed_subjects.join(' ')],
      ['Allowed scopes', issuer.allowed_scopes.join(' ') || '—'],
      ['Extra audience', issuer.audience ?? '—'],
      ['Status', <EnabledBadge enabled={issuer.enabled} />],
    ],
    updatedAt: issuer.updated_at,
  }),
});

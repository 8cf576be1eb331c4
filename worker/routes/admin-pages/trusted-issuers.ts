/**
 * /admin/trusted-issuers: the issuers whose assertions the JWT bearer grant accepts (RFC 7523 §2.1): the
 * list, create, one issuer (edit), and delete after a confirmation.
 */
import type { Hono } from 'hono';
import {
  createTrustedIssuer,
  deleteTrustedIssuer,
  getTrustedIssuer,
  listTrustedIssuers,
  type TrustedIssuerView,
  updateTrustedIssuer,
} from '../../../src/admin/trusted-issuers';
import type { FormParams } from '../../../src/oauth/form';
import {
  TRUSTED_ISSUER_PAGES,
  type TrustedIssuerFormValues,
  trustedIssuerPath,
} from '../../../templates/admin/trusted-issuers';
import type { AppEnv } from '../../context';
import { type CollectionRoutes, registerCollectionPages } from './collection';
import { checked, texts } from './common';

/** Field labels for error messages. */
const LABELS: Record<string, string> = {
  issuer: 'Issuer',
  jwks: 'JWK Set',
  jwks_uri: 'JWK Set URL',
  allowed_subjects: 'Allowed subjects',
  allowed_scopes: 'Allowed scopes',
  audience: 'Extra audience',
};

const NEW_ISSUER: TrustedIssuerFormValues = {
  issuer: '',
  jwks: '',
  jwks_uri: '',
  allowed_subjects: '',
  allowed_scopes: '',
  audience: '',
  enabled: true,
};

function formValues(form: FormParams): TrustedIssuerFormValues {
  const fields = ['issuer', 'jwks', 'jwks_uri', 'allowed_subjects', 'allowed_scopes', 'audience'] as const;
  return { ...texts(form, fields), enabled: checked(form, 'enabled') };
}

function viewValues(issuer: TrustedIssuerView): TrustedIssuerFormValues {
  return {
    issuer: issuer.issuer,
    jwks: issuer.jwks === null ? '' : JSON.stringify(issuer.jwks, null, 2),
    jwks_uri: issuer.jwks_uri ?? '',
    allowed_subjects: issuer.allowed_subjects.join('\n'),
    allowed_scopes: issuer.allowed_scopes.join(' '),
    audience: issuer.audience ?? '',
    enabled: issuer.enabled,
  };
}

/** Parsed JSON, or the text itself when it is not JSON (the API then says what is wrong with it). */
function jsonOrText(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** The form as the admin API's body: every field is sent (an edit replaces the issuer). */
function issuerBody(values: TrustedIssuerFormValues): Record<string, unknown> {
  const words = (value: string) => value.split(/\s+/).filter((word) => word !== '');
  return {
    issuer: values.issuer,
    ...(values.jwks === '' ? {} : { jwks: jsonOrText(values.jwks) }),
    ...(values.jwks_uri === '' ? {} : { jwks_uri: values.jwks_uri }),
    allowed_subjects: values.allowed_subjects
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== ''),
    allowed_scopes: words(values.allowed_scopes),
    audience: values.audience === '' ? null : values.audience,
    enabled: values.enabled,
  };
}

/** The trusted issuer pages. */
const TRUSTED_ISSUER_ROUTES: CollectionRoutes<TrustedIssuerView, TrustedIssuerFormValues> = {
  section: 'trusted-issuers',
  path: '/admin/trusted-issuers',
  labels: LABELS,
  blank: NEW_ISSUER,
  read: (_c, form) => formValues(form),
  valuesOf: viewValues,
  list: listTrustedIssuers,
  get: getTrustedIssuer,
  create: (ctx, values) => createTrustedIssuer(ctx, issuerBody(values)),
  update: (ctx, id, values) => updateTrustedIssuer(ctx, id, issuerBody(values)),
  created: () => 'Issuer trusted.',
  deletion: {
    confirm: (issuer) => ({
      title: `Stop trusting ${issuer.issuer}?`,
      message: 'Its assertions are refused from the next request on. Tokens already issued stay valid.',
      confirmLabel: 'Delete trusted issuer',
    }),
    async perform(ctx, id) {
      await deleteTrustedIssuer(ctx, id);
      return 'Trusted issuer deleted.';
    },
  },
  recordPath: (issuer) => trustedIssuerPath(issuer.id),
  listPage: TRUSTED_ISSUER_PAGES.List,
  createPage: (_c, props) => TRUSTED_ISSUER_PAGES.Create(props),
  recordPage: (_c, props) => TRUSTED_ISSUER_PAGES.Record(props),
};

export function registerTrustedIssuerPages(app: Hono<AppEnv>): void {
  registerCollectionPages(app, TRUSTED_ISSUER_ROUTES);
}

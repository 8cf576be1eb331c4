/**
 * /admin/trusted-issuers: the issuers whose assertions the JWT bearer grant accepts (RFC 7523 §2.1): the
 * list, create, one issuer (edit), and delete after a confirmation.
 */
import type { Context, Hono } from 'hono';
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
  TrustedIssuerCreatePage,
  type TrustedIssuerFormValues,
  TrustedIssuerListPage,
  TrustedIssuerPage,
  trustedIssuerPath,
} from '../../../templates/admin/trusted-issuers';
import type { AppEnv } from '../../context';
import { adminContext } from '../../http/admin-context';
import {
  checked,
  listing,
  pageChrome,
  readPageForm,
  recordPage,
  refusedForm,
  render,
  saveOrShowAgain,
  seeOther,
  text,
} from './common';
import { registerConfirmedAction } from './confirm';

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
  return {
    issuer: text(form, 'issuer'),
    jwks: text(form, 'jwks'),
    jwks_uri: text(form, 'jwks_uri'),
    allowed_subjects: text(form, 'allowed_subjects'),
    allowed_scopes: text(form, 'allowed_scopes'),
    audience: text(form, 'audience'),
    enabled: checked(form, 'enabled'),
  };
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

async function showIssuer(
  c: Context<AppEnv>,
  values: TrustedIssuerFormValues | null,
  error: unknown = null,
): Promise<Response> {
  const issuer = await getTrustedIssuer(adminContext(c), c.req.param('id') ?? '');
  return recordPage(c, 'trusted-issuers', error, LABELS, (chrome, formError) =>
    TrustedIssuerPage({ chrome, issuer, values: values ?? viewValues(issuer), error: formError }),
  );
}

function registerListAndCreate(app: Hono<AppEnv>): void {
  app.get('/admin/trusted-issuers', async (c) => {
    const { props } = await listing(c, 'trusted-issuers', listTrustedIssuers);
    return render(c, TrustedIssuerListPage(props));
  });

  app.get('/admin/trusted-issuers/new', async (c) => {
    const { chrome } = await pageChrome(c, 'trusted-issuers');
    return render(c, TrustedIssuerCreatePage({ chrome, values: NEW_ISSUER, error: null }));
  });

  app.post('/admin/trusted-issuers', async (c) => {
    const values = formValues(await readPageForm(c));
    try {
      const created = await createTrustedIssuer(adminContext(c), issuerBody(values));
      return seeOther(c, trustedIssuerPath(created.id), { notice: 'Issuer trusted.' });
    } catch (error) {
      return refusedForm(c, 'trusted-issuers', error, LABELS, (chrome, formError) =>
        TrustedIssuerCreatePage({ chrome, values, error: formError }),
      );
    }
  });
}

function registerItem(app: Hono<AppEnv>): void {
  app.get('/admin/trusted-issuers/:id', (c) => showIssuer(c, null));

  app.post('/admin/trusted-issuers/:id', async (c) => {
    const id = c.req.param('id');
    const values = formValues(await readPageForm(c));
    return saveOrShowAgain(
      LABELS,
      async () => {
        await updateTrustedIssuer(adminContext(c), id, issuerBody(values));
        return seeOther(c, trustedIssuerPath(id), { notice: 'Changes saved.' });
      },
      (error) => showIssuer(c, values, error),
    );
  });
}

function registerDelete(app: Hono<AppEnv>): void {
  registerConfirmedAction(app, '/admin/trusted-issuers/:id/delete', {
    section: 'trusted-issuers',
    async describe(c) {
      const issuer = await getTrustedIssuer(adminContext(c), c.req.param('id') ?? '');
      return {
        title: `Stop trusting ${issuer.issuer}?`,
        message: 'Its assertions are refused from the next request on. Tokens already issued stay valid.',
        confirmLabel: 'Delete trusted issuer',
        cancelHref: trustedIssuerPath(issuer.id),
      };
    },
    async perform(c) {
      await deleteTrustedIssuer(adminContext(c), c.req.param('id') ?? '');
      return seeOther(c, '/admin/trusted-issuers', { notice: 'Trusted issuer deleted.' });
    },
  });
}

export function registerTrustedIssuerPages(app: Hono<AppEnv>): void {
  registerListAndCreate(app);
  registerDelete(app);
  registerItem(app);
}

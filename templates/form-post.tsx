/**
 * OAuth 2.0 Form Post Response Mode: the authorization response as a form POSTed to the client's
 * redirect_uri. One inline script (allowed by the page nonce) submits it on load; with script off, the
 * user presses Continue. The values are text-escaped by hono/jsx.
 */
import { Layout } from './layout';

export interface FormPostPageProps {
  nonce: string;
  /** The client's redirect_uri (already matched against its registration). */
  action: string;
  fields: [string, string][];
}

/** Submits the page's only form once the document is parsed. */
export const FORM_POST_SCRIPT = 'document.forms[0].submit();';

export function FormPostPage({ nonce, action, fields }: FormPostPageProps) {
  return (
    <Layout title="Returning to the application" nonce={nonce}>
      <h1>Returning to the application</h1>
      <form method="post" action={action}>
        {fields.map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <noscript>
          <p>Script is off in this browser: continue to the application yourself.</p>
        </noscript>
        <button type="submit">Continue</button>
      </form>
      <script nonce={nonce} dangerouslySetInnerHTML={{ __html: FORM_POST_SCRIPT }} />
    </Layout>
  );
}

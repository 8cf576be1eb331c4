/** The error page of every browser route: status, title, a safe description, a way back. */
import { Layout } from './layout';

export interface ErrorPageProps {
  nonce: string;
  status: number;
  title: string;
  description: string;
}

export function ErrorPage({ nonce, status, title, description }: ErrorPageProps) {
  return (
    <Layout title={title} nonce={nonce}>
      <h1>{title}</h1>
      <p>{description}</p>
      <p class="muted">Error {status}</p>
      <p>
        <a href="/profile">Go to your account</a>
      </p>
    </Layout>
  );
}

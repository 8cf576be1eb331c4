/** The shared page layout: doctype, viewport, the nonce'd stylesheet, one centered card. No scripts. */
import { raw } from 'hono/html';
import type { PropsWithChildren } from 'hono/jsx';
import { STYLES } from './styles';

export interface LayoutProps {
  /** The page title (also the tab title). */
  title: string;
  /** The per-request CSP nonce that lets the inline stylesheet load. */
  nonce: string;
}

/** An HTML document (doctype, viewport, no robots, the nonce'd inline `styles`) whose body is `children`. */
export function Document({
  title,
  nonce,
  styles,
  children,
}: PropsWithChildren<LayoutProps & { styles: string }>) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="color-scheme" content="light dark" />
          <meta name="robots" content="noindex" />
          <title>{title}</title>
          <link rel="icon" href="data:," />
          <style nonce={nonce} dangerouslySetInnerHTML={{ __html: styles }} />
        </head>
        <body>{children}</body>
      </html>
    </>
  );
}

export function Layout({ title, nonce, children }: PropsWithChildren<LayoutProps>) {
  return (
    <Document title={title} nonce={nonce} styles={STYLES}>
      <main>{children}</main>
    </Document>
  );
}

/** The reason the last submission of a page's form was refused, announced to screen readers; nothing without one. */
export function Alert({ message }: { message: string | null }) {
  if (message === null) return null;
  return (
    <p class="alert" role="alert">
      {message}
    </p>
  );
}

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

export function Layout({ title, nonce, children }: PropsWithChildren<LayoutProps>) {
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
          <style nonce={nonce} dangerouslySetInnerHTML={{ __html: STYLES }} />
        </head>
        <body>
          <main>{children}</main>
        </body>
      </html>
    </>
  );
}

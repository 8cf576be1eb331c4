/** GET /api-docs/openapi.json (OpenAPI 3.1 of every JSON route) and GET /swagger-ui (assets served locally, no CDN). */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { html } from 'hono/html';
import { randomToken } from '../../src/crypto/random';
import type { AppEnv } from '../context';

export function registerDocsRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'clientSecretBasic', {
    type: 'http',
    scheme: 'basic',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'clientSecretPost', {
    type: 'apiKey',
    in: 'query',
    name: 'client_secret',
    description: 'client_id and client_secret in the form body (client_secret_post)',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });

  app.get('/api-docs/openapi.json', (c) => {
    const document = app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'Edge OAuth 2.1 / OpenID Connect server',
        version: '0.1.0',
        description: 'Authorization server on Cloudflare Workers. Errors are {error, error_description}.',
      },
      servers: [{ url: new URL(c.req.url).origin }],
    });
    return c.json(document, 200, { 'Cache-Control': 'public, max-age=300' });
  });

  app.get('/swagger-ui', (c) => {
    const nonce = randomToken(16);
    c.header(
      'Content-Security-Policy',
      `default-src 'self'; script-src 'self' 'nonce-${nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
    );
    return c.html(html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>API reference</title>
    <link rel="stylesheet" href="/swagger-ui/swagger-ui.css" />
    <link rel="icon" href="/swagger-ui/favicon-32x32.png" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/swagger-ui/swagger-ui-bundle.js"></script>
    <script nonce="${nonce}">
      window.ui = SwaggerUIBundle({ url: '/api-docs/openapi.json', dom_id: '#swagger-ui' });
    </script>
  </body>
</html>`);
  });
}

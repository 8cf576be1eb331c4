/**
 * Import rules of the layers (docs/architecture.md, "Folders": the "may import" column), checked by
 * `npm run lint` (`depcruise src worker durable-objects templates --config .dependency-cruiser.cjs`).
 * Type-only imports count (`tsPreCompilationDeps`): a cycle through types still ties two layers together.
 *
 * Each `src/` folder has an allow-list: itself, the folders named in its rule, SETTINGS (zod and
 * src/config-fields.ts, which every folder's `OAUTH2_*` settings parser and input schemas use) and CLOCK
 * (src/clock.ts, the wall clock every layer reads time through). Paths
 * are regular expressions over the resolved path; npm packages resolve under node_modules/.
 */

/** Every folder's settings parsers and input schemas: zod and the shared field helpers. */
const SETTINGS = ['^src/config-fields[.]ts$', '^node_modules/zod/'];

/** The wall clock port (src/clock.ts): importable from every layer. */
const CLOCK = ['^src/clock[.]ts$'];

/** A `src/` folder may import itself, SETTINGS, CLOCK and `allowed`, nothing else. */
function layer(name, folder, allowed, comment) {
  return {
    name,
    comment,
    severity: 'error',
    from: { path: `^${folder}` },
    to: { pathNot: [`^${folder}`, ...SETTINGS, ...CLOCK, ...allowed] },
  };
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles, type-only imports included: layers build one way.',
      severity: 'error',
      from: { path: '^(src|worker|durable-objects|templates)/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves (the Workers runtime modules `cloudflare:*` excepted).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, pathNot: '^cloudflare:' },
    },

    // src/: the runtime-agnostic core.
    {
      name: 'src-not-to-shell',
      comment: 'src/ never imports the Worker shell, the Durable Objects or the templates.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(worker|durable-objects|templates)/' },
    },
    {
      name: 'src-no-hono',
      comment: 'src/ knows no HTTP framework: no hono, no @hono/*.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^node_modules/(hono|@hono/[^/]+)/' },
    },
    {
      name: 'src-no-runtime-modules',
      comment:
        'src/ takes ports, not bindings: no Node built-ins, no cloudflare:* modules. Exception: the ' +
        'PostgreSQL adapter opens its TCP socket through cloudflare:sockets (src/storage/pg/tcp-web-socket.ts).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/storage/pg/' },
      to: { path: '^cloudflare:' },
    },
    {
      name: 'src-no-node-builtins',
      comment: 'src/ (and the mcp-server/src tools it runs in-process) uses no Node built-ins.',
      severity: 'error',
      from: { path: '^(src|mcp-server/src)/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'config-read-as-type',
      comment:
        'src/ folders read the parsed Config as a type only; src/config.ts imports their settings ' +
        'modules, and the Worker shell and the Durable Objects load it.',
      severity: 'error',
      from: { path: '^src/[^/]+/' },
      to: { path: '^src/config[.]ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'only-storage-adapters-import-drizzle',
      comment: 'Only the D1 and PostgreSQL adapters (src/storage/d1, src/storage/pg) import drizzle.',
      severity: 'error',
      from: { pathNot: '^src/storage/(d1|pg)/' },
      to: { path: '^node_modules/drizzle-(orm|kit)/' },
    },
    {
      name: 'only-rate-limit-imports-upstash',
      comment: 'In src/, only src/rate-limit imports @upstash/*.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/rate-limit/' },
      to: { path: '^node_modules/@upstash/' },
    },
    {
      name: 'only-mcp-imports-mcp-server',
      comment: 'In src/, only src/mcp imports mcp-server/src (the tools) and the MCP SDK.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/mcp/' },
      to: { path: '^(mcp-server/|node_modules/@modelcontextprotocol/)' },
    },

    // The allow-lists of src/ folders, lowest layers first.
    layer('config-fields', 'src/config-fields[.]ts$', [], 'The shared settings field helpers: zod only.'),
    {
      name: 'clock-leaf',
      comment: 'The wall clock (src/clock.ts) imports nothing: every layer may import it.',
      severity: 'error',
      from: { path: '^src/clock[.]ts$' },
      to: {},
    },
    layer(
      'config',
      'src/config[.]ts$',
      [
        '(^src/|/|-)config[.]ts$',
        '^src/oauth/scopes/registry[.]ts$',
        '^src/crypto/key-rotation[.]ts$',
        '^src/outbound/policy[.]ts$',
      ],
      "src/config.ts assembles the folders' settings modules (`config.ts`, `*-config.ts`, and the settings " +
        'parts of scope-registry, key-rotation and the outbound policy), nothing else.',
    ),
    layer('observability', 'src/observability/', [], 'Metrics and trace context: itself only.'),
    layer(
      'storage',
      'src/storage/',
      [
        '^node_modules/(drizzle-orm|drizzle-kit|@neondatabase/serverless)/',
        '^cloudflare:sockets$',
        // The storage contract suites (src/storage/contract) are vitest suites run against every adapter.
        '^node_modules/vitest/',
      ],
      'Storage ports and adapters: no other src/ folder.',
    ),
    {
      name: 'storage-ports-leaf',
      comment:
        'The storage ports (ports.ts, identities.ts, paging.ts, mfa.ts) import no adapter and nothing else.',
      severity: 'error',
      from: { path: '^src/storage/(ports|identities|paging|mfa)[.]ts$' },
      to: { pathNot: '^src/storage/(ports|identities|paging|mfa)[.]ts$' },
    },
    layer(
      'resilience',
      'src/resilience/',
      ['^src/storage/ports[.]ts$', '^src/observability/'],
      'Breakers, bulkheads, capped bodies; storage calls counted and timed (src/observability).',
    ),
    layer(
      'rate-limit',
      'src/rate-limit/',
      ['^src/resilience/', '^node_modules/@upstash/'],
      'The limiter and its backends.',
    ),
    layer(
      'crypto',
      'src/crypto/',
      ['^node_modules/jose/', '^src/storage/ports[.]ts$'],
      'Keys, hashes, JWS: jose, and the types of the stored key records (src/storage/ports.ts, type-only: see crypto-storage-types).',
    ),
    {
      name: 'crypto-storage-types',
      comment: 'src/crypto uses only the types of src/storage/ports.ts (the stored signing-key records).',
      severity: 'error',
      from: { path: '^src/crypto/' },
      to: { path: '^src/storage/', dependencyTypesNot: ['type-only'] },
    },
    layer('users', 'src/users/', ['^src/crypto/', '^src/storage/ports[.]ts$', '^src/config[.]ts$'], 'Users.'),
    layer(
      'auth',
      'src/sign-in/(?!upstream/)',
      [
        '^src/crypto/',
        '^src/storage/(ports|mfa)[.]ts$',
        '^src/users/',
        // WebAuthn verification (WebCrypto only), for passkeys alone.
        '^node_modules/@simplewebauthn/server/',
      ],
      'End-user sign-in (sessions, passwords, the login throttle, passkeys): below src/oauth, which never imports it.',
    ),
    layer(
      'denylist',
      'src/denylist/',
      ['^src/storage/ports[.]ts$', '^src/oauth/ports[.]ts$'],
      'The denylist: storage ports and the ClientRegistry port it decorates.',
    ),
    layer(
      'outbound',
      'src/outbound/',
      ['^src/resilience/', '^src/observability/', '^src/denylist/ip[.]ts$'],
      'Outbound requests: breakers, metrics, and the address parser of src/denylist/ip.ts.',
    ),
    layer(
      'events',
      'src/events/',
      ['^src/observability/', '^src/outbound/', '^src/storage/ports[.]ts$'],
      'The event bus and its plugins.',
    ),
    layer(
      'oauth',
      'src/oauth/',
      [
        '^node_modules/jose/',
        '^src/crypto/',
        '^src/storage/ports[.]ts$',
        '^src/config[.]ts$',
        '^src/events/types[.]ts$',
        '^src/outbound/',
        '^src/resilience/',
      ],
      'The OAuth core. Never src/oidc (ID tokens come through OAuthContext.idTokens) nor src/sign-in ' +
        '(device verification declares the throttle port it needs); events only through the EventPort.',
    ),
    layer(
      'oidc',
      'src/oidc/',
      [
        '^src/oauth/',
        '^node_modules/jose/',
        '^src/crypto/',
        '^src/storage/ports[.]ts$',
        '^src/config[.]ts$',
        '^src/events/',
        '^src/observability/',
        '^src/outbound/',
        '^src/resilience/',
      ],
      'OpenID Connect builds on src/oauth.',
    ),
    layer(
      'auth-upstream',
      'src/sign-in/upstream/',
      [
        '^src/sign-in/',
        '^src/oauth/',
        '^src/users/',
        '^src/events/types[.]ts$',
        '^node_modules/jose/',
        '^src/crypto/',
        '^src/storage/ports[.]ts$',
        '^src/config[.]ts$',
        '^src/observability/',
        '^src/outbound/',
        '^src/resilience/',
      ],
      'Sign-in at upstream providers builds on src/sign-in and src/oauth.',
    ),
    layer(
      'admin',
      'src/admin/',
      [
        '^src/oauth/',
        '^src/oidc/',
        '^src/users/',
        '^src/denylist/',
        '^src/crypto/',
        '^src/storage/(ports|paging)[.]ts$',
      ],
      'Admin operations over ports.',
    ),
    layer('account', 'src/account/', ['^src/admin/', '^src/oauth/'], "The signed-in user's own operations."),
    layer(
      'mcp',
      'src/mcp/',
      [
        '^src/oauth/',
        '^src/account/',
        '^src/storage/ports[.]ts$',
        '^mcp-server/src/',
        '^node_modules/@modelcontextprotocol/sdk/',
      ],
      'The /mcp endpoint: the mcp-server tools run in-process.',
    ),

    // The Durable Objects and the templates.
    {
      name: 'durable-objects-only-src',
      comment:
        'durable-objects/ imports only src/ (and its own modules). Exception: cloudflare:workers, the ' +
        'DurableObject base class every actor extends.',
      severity: 'error',
      from: { path: '^durable-objects/' },
      to: { pathNot: ['^(src|durable-objects)/', '^cloudflare:workers$'] },
    },
    {
      name: 'templates-only-src-and-hono',
      comment: 'templates/ (hono/jsx pages) import only templates/, src/ and hono.',
      severity: 'error',
      from: { path: '^templates/' },
      to: { pathNot: ['^(templates|src)/', '^node_modules/hono/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    moduleSystems: ['es6', 'cjs'],
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};

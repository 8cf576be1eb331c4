/**
 * `npm run docs:config`: writes docs/configuration.md from the configuration schema.
 *
 * The document is rendered by `renderConfigurationDoc()` of src/config-docs.ts (bundled on the fly with
 * wrangler's esbuild, as `npm run check:config` does): each setting's type, constraints, default and secrecy
 * come from its field builder (src/config-fields.ts), its area and meaning from SETTING_DOCS in
 * src/config-docs.ts. Every table is emitted in the form `biome format` gives it (columns padded to their
 * widest cell), so `npx biome check docs/configuration.md` passes and regenerating is stable;
 * test/node/configuration-docs.test.ts compares the file with a fresh rendering after collapsing the
 * padding inside table rows, so a re-format by biome (or a biome version that pads differently) is not a
 * stale document, while any change of content is.
 *
 * Usage: node scripts/docs-config.mjs [--check]   (--check: exit 1 when the file is stale; writes nothing)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { importTsModule } from './lib/config-check.mjs';
import { ROOT } from './lib/local-env.mjs';

const TARGET = path.join(ROOT, 'docs', 'configuration.md');

const module = await importTsModule(path.join('src', 'config-docs.ts'));
const missing = module.undocumentedSettings();
if (missing.length > 0) {
  console.error(`Settings without a meaning in src/config-docs.ts (SETTING_DOCS): ${missing.join(', ')}`);
  process.exit(1);
}
const text = module.renderConfigurationDoc();

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(TARGET, 'utf8');
  } catch {}
  if (current !== text) {
    console.error('docs/configuration.md is stale: run `npm run docs:config`.');
    process.exit(1);
  }
  console.log('docs/configuration.md is up to date.');
} else {
  writeFileSync(TARGET, text);
  console.log(`Wrote ${path.relative(process.cwd(), TARGET)}.`);
}

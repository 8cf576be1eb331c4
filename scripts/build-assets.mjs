#!/usr/bin/env node
/**
 * Copies the Swagger UI files served at /swagger-ui from node_modules/swagger-ui-dist into public/swagger-ui/
 * (git-ignored). Idempotent: a file whose size already matches is not copied again.
 * Run by `npm test` and, as the [build] command in wrangler.toml, by every `wrangler dev` (`npm start`) and
 * `wrangler deploy` (`npm run build`, `npm run deploy`, Git-based deploys).
 */
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FILES = [
  'swagger-ui.css',
  'swagger-ui-bundle.js',
  'swagger-ui-standalone-preset.js',
  'favicon-32x32.png',
];

function sourceDir() {
  try {
    const require = createRequire(path.join(root, 'package.json'));
    return path.dirname(require.resolve('swagger-ui-dist/package.json'));
  } catch {
    console.error('build-assets: swagger-ui-dist is not installed; run `npm install` (or `npm ci`) first.');
    process.exit(1);
  }
}

function sizeOf(file) {
  try {
    return statSync(file).size;
  } catch {
    return -1;
  }
}

const from = sourceDir();
const to = path.join(root, 'public', 'swagger-ui');
mkdirSync(to, { recursive: true });

let copied = 0;
for (const name of FILES) {
  const src = path.join(from, name);
  const dest = path.join(to, name);
  const srcSize = sizeOf(src);
  if (srcSize < 0) {
    console.error(`build-assets: ${path.relative(root, src)} is missing from swagger-ui-dist.`);
    process.exit(1);
  }
  if (sizeOf(dest) === srcSize) continue;
  copyFileSync(src, dest);
  copied += 1;
}

if (copied > 0) console.log(`build-assets: copied ${copied} Swagger UI file(s) to public/swagger-ui/`);

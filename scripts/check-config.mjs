#!/usr/bin/env node
/**
 * `npm run check:config [-- --production] [-- --env-file F] [-- --env NAME]`
 *
 * Validates the configuration a deploy would use with the Worker's own schema (scripts/lib/config-check.mjs,
 * the same check `npm start` runs before serving). Sources, later ones win:
 *   1. wrangler.toml [vars] (of wrangler environment NAME with --env NAME)
 *   2. .dev.vars, or the dotenv file given with --env-file F
 *      (--production ignores .dev.vars: only what `wrangler secret put` would have to supply is checked)
 *   3. environment variables whose name starts with OAUTH2_
 * With --production, secrets none of these set are looked up with `wrangler secret list` when wrangler is
 * logged in (a missing required secret fails); when it is not, the secrets that could not be verified are
 * named in a warning. Placeholder resource ids left in wrangler.toml fail.
 * Warns about OAUTH2_* names the schema does not know (with the nearest known name). Prints `config ok`,
 * or each problem on its own line (names only, never a value) and exits 1.
 */
import path from 'node:path';
import { checkConfig } from './lib/config-check.mjs';

process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
process.env.WRANGLER_SEND_METRICS = 'false';

function usage(message) {
  if (message) console.error(`check-config: ${message}`);
  console.error('usage: npm run check:config [-- --production] [--env-file FILE] [--env NAME]');
  process.exit(2);
}

function parseArgs(argv) {
  const options = { production: false, envFile: undefined, env: undefined };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const m = /^--(env-file|env)(?:=(.*))?$/.exec(arg);
    if (arg === '--production') options.production = true;
    else if (arg === '-h' || arg === '--help') usage();
    else if (m) {
      const value = m[2] ?? argv[++i];
      if (!value) usage(`--${m[1]} needs a value`);
      if (m[1] === 'env-file') options.envFile = path.resolve(value);
      else options.env = value;
    } else usage(`unknown argument ${arg}`);
  }
  return options;
}

const options = parseArgs(process.argv.slice(2));
let result;
try {
  result = await checkConfig(options);
} catch (error) {
  if (error?.code === 'ENVFILE') usage(`--env-file ${error.message}`);
  console.error(`check-config: ${error?.message ?? error}`);
  process.exit(2);
}

console.error(`check-config: ${options.production ? 'production, ' : ''}from ${result.sources.join(' < ')}`);
for (const warning of result.warnings) console.error(warning);
for (const note of result.notes) console.log(note);
if (result.problems.length === 0) {
  console.log('config ok');
} else {
  for (const problem of result.problems) console.log(problem);
  process.exit(1);
}

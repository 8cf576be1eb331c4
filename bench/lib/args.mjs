/**
 * The command line of the single-scenario tools (bench/profile.mjs, bench/instructions.mjs):
 * `SCENARIO [--NAME VALUE ...] [--var NAME=VALUE ...]`. `numbers` are the flags that take a number, `choices`
 * the flags that take one of a few words; `--var` sets a Worker var; anything else is refused.
 */
export function parseScenarioArgs(argv, defaults, { numbers = [], choices = {} } = {}) {
  const opts = { ...defaults, vars: {} };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      opts.scenario = arg;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new Error(`${arg} needs a value`);
    const flag = arg.slice(2);
    if (flag === 'var') {
      const eq = value.indexOf('=');
      if (eq < 1) throw new Error(`--var needs NAME=VALUE, got ${value}`);
      opts.vars[value.slice(0, eq)] = value.slice(eq + 1);
    } else if (numbers.includes(flag)) {
      opts[flag] = Number(value);
    } else if (flag in choices) {
      if (!choices[flag].includes(value)) throw new Error(`${arg} is ${choices[flag].join(' or ')}`);
      opts[flag] = value;
    } else {
      throw new Error(`unknown argument ${arg}`);
    }
  }
  return opts;
}

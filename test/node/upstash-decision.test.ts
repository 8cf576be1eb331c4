/**
 * The `workers-upstash` project's skip rule (test/upstash/decision.ts): without redis-server it is skipped
 * with a clear message, except with CI=true, where the run must fail instead of passing without it.
 */
import { describe, expect, it } from 'vitest';
import { MISSING_REDIS_MESSAGE, upstashSuiteDecision } from '../upstash/decision';

describe('Upstash suite: run, skip or fail', () => {
  it('runs whenever redis-server is found, in CI or not', () => {
    expect(upstashSuiteDecision({}, '/usr/bin/redis-server')).toEqual({ action: 'run' });
    expect(upstashSuiteDecision({ CI: 'true' }, '/usr/bin/redis-server')).toEqual({ action: 'run' });
  });

  it('skips with a clear message when redis-server is missing and CI is unset', () => {
    for (const env of [{}, { CI: undefined }, { CI: 'false' }, { CI: '' }]) {
      const decision = upstashSuiteDecision(env, null);
      expect(decision.action).toBe('skip');
      const message = decision.action === 'skip' ? decision.message : '';
      expect(message).toMatch(/redis-server not found/);
      expect(message).toMatch(/SKIPPED/);
      expect(message).toMatch(/apt-get install -y redis-server/);
      expect(message).toMatch(/CI=true/);
    }
  });

  it('fails (never skips) when redis-server is missing and CI=true', () => {
    expect(upstashSuiteDecision({ CI: 'true' }, null)).toEqual({
      action: 'fail',
      message: MISSING_REDIS_MESSAGE,
    });
  });
});

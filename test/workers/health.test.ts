import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

describe('Health', () => {
  it('answers 200 on /health', async () => {
    const res = await SELF.fetch('http://localhost/health');
    expect(res.status).toBe(200);
  });
});

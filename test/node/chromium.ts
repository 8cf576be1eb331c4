/**
 * Headless Chromium for the browser suites (Debian's `chromium` package, driven by playwright-core).
 * Missing Chromium: the suites are skipped locally with a message, and fail when CI=true.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { describe, it } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = process.env.CI === 'true';
const MISSING = `${CHROMIUM} not found: install Debian's chromium package (apt-get install -y chromium)`;

/**
 * Call once at the top of a browser suite: warns when Chromium is missing locally, and declares a failing
 * test when it is missing in CI. Answers the suffix for the suite's title (empty when Chromium is there).
 */
export function requireChromium(suite: string): string {
  if (!HAVE_CHROMIUM && !IN_CI) {
    console.warn(`${suite}: skipping the Chromium tests: ${MISSING}. They are required in CI.`);
  }
  if (!HAVE_CHROMIUM && IN_CI) {
    // Declared only in this case, so that a normal run shows no extra skipped test.
    describe('headless Chromium (CI)', () => {
      it('Chromium is installed (required when CI=true)', () => {
        throw new Error(`${MISSING}; CI must not skip the browser tests (.ci/run installs it).`);
      });
    });
  }
  return HAVE_CHROMIUM ? '' : ` (skipped: ${MISSING})`;
}

/** A headless Chromium with the suites' flags. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

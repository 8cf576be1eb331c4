/**
 * docs/configuration.md is generated from the configuration schema (src/config-docs.ts,
 * scripts/docs-config.mjs): it must match a fresh rendering, and every setting must have a meaning.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  renderConfigurationDoc,
  settingsWithoutFieldInfo,
  undocumentedSettings,
  unknownDocumentedSettings,
} from '../../src/config-docs';

const DOC = path.join(import.meta.dirname, '..', '..', 'docs', 'configuration.md');

/**
 * Table padding is presentation (biome re-pads tables when it formats markdown): cells are compared trimmed,
 * delimiter cells as `---`. Everything else must match exactly.
 */
function normalize(markdown: string): string {
  return markdown
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => {
      if (!line.startsWith('|')) return line.trimEnd();
      const cells = line
        .trim()
        .replace(/^\||\|$/g, '')
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim())
        .map((cell) => (/^:?-+:?$/.test(cell) ? '---' : cell));
      return `| ${cells.join(' | ')} |`;
    })
    .join('\n')
    .trimEnd();
}

describe('docs/configuration.md', () => {
  it('documents every setting with a meaning', () => {
    expect(
      undocumentedSettings(),
      'add an area and a meaning for these settings to SETTING_DOCS in src/config-docs.ts',
    ).toEqual([]);
  });

  it('knows each setting’s type from its field builder', () => {
    expect(
      settingsWithoutFieldInfo(),
      'build these settings with the builders of src/config-fields.ts (or wrap their parser in field())',
    ).toEqual([]);
  });

  it('documents no setting the schema does not have', () => {
    expect(
      unknownDocumentedSettings(),
      'remove these entries from SETTING_DOCS in src/config-docs.ts',
    ).toEqual([]);
  });

  it('is up to date with the schema', () => {
    let current = '';
    try {
      current = readFileSync(DOC, 'utf8');
    } catch {}
    expect(
      normalize(current) === normalize(renderConfigurationDoc()),
      'docs/configuration.md is stale: run `npm run docs:config`',
    ).toBe(true);
  });
});

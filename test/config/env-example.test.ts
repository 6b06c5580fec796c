// .env.example is the operator's list of settings: it must name every setting
// of the schema, showing the schema's default where there is one, and nothing
// the schema does not know.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTING_NAMES, SettingsSchema } from '../../src/config.js';

const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
/** NAME → value of each `NAME=value` or `# NAME=value` line. */
const listed = new Map(
  [...example.matchAll(/^(?:# )?([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((match) => [match[1]!, match[2]!.trim()] as const),
);

describe('.env.example', () => {
  it.each(SETTING_NAMES)('lists %s', (name) => {
    expect(listed.has(name), `${name} is missing from .env.example`).toBe(true);
  });

  it('shows the schema default of every setting that has one', () => {
    const properties = SettingsSchema.properties as Record<string, { default?: unknown }>;
    const mismatches = SETTING_NAMES.filter((name) => properties[name]!.default !== undefined && listed.get(name) !== String(properties[name]!.default));
    expect(mismatches).toEqual([]);
  });

  it('lists nothing the schema does not read', () => {
    expect([...listed.keys()].filter((name) => !(SETTING_NAMES as string[]).includes(name))).toEqual([]);
  });
});

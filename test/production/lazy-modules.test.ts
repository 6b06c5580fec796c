// The heavy optional modules stay out of the server's static import graph:
// Twilio's SDK, ioredis and PGlite are imported (dynamically) only when the
// settings need them, so an idle server on PostgreSQL without Redis or
// Twilio holds none of them; what only some requests need (the common-password
// list) is loaded by the first of them (docs/performance.md "What each change
// bought").

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './built-server.js';

/** Value imports (not `import type`, not dynamic `import()`) of a TypeScript file. */
function staticImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of source.matchAll(/^(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) found.push(match[1]!);
  return found;
}

function staticGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const specifier of staticImports(file)) {
      if (specifier.startsWith('.')) visit(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier);
    }
  };
  visit(path.join(ROOT, entry));
  return { files, packages };
}

describe('optional heavy modules load only when the settings need them', () => {
  const graph = staticGraph('src/server.ts');

  it('the graph is read (sanity: the server reaches Fastify, pg and its own sessions)', () => {
    expect(graph.packages).toContain('fastify');
    expect(graph.packages).toContain('pg');
    expect([...graph.files].some((file) => file.endsWith('src/auth/sessions.ts'))).toBe(true);
  });

  it.each(['twilio', 'ioredis', '@electric-sql/pglite', 'drizzle-orm/pglite', 'drizzle-orm/pglite/migrator'])('%s is not imported statically by the server', (name) => {
    expect([...graph.packages]).not.toContain(name);
  });
});

describe('what only some requests need loads on the first of them, not at start', () => {
  const graph = staticGraph('src/server.ts');

  it.each([
    // The common-password list (≈2 MB decompressed): a password set or changed (users/password-policy.ts).
    '@zxcvbn-ts/language-common',
    // libphonenumber with its full metadata (≈2 MB): the first number parsed (core/phone-parse.ts).
    'libphonenumber-js/max',
    'libphonenumber-js/core',
  ])('%s is not imported statically by the server', (name) => {
    expect([...graph.packages]).not.toContain(name);
  });
});

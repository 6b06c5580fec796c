// docs/api.md is the server's OpenAPI document as it is now: rendered again
// in memory, it must equal the committed file, or `npm run docs:api` was
// forgotten. And the docs point at nothing outside the repository.

import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/http/routes/web.js';
import { API_DOCS_FILE, renderApiDocs } from '../../scripts/api-docs.js';
import { serverOpenApiDocument } from '../../scripts/web-types.js';

const ROOT = packageRoot();

describe('docs/api.md', () => {
  it('equals what the current OpenAPI document renders (run `npm run docs:api` when this fails)', { timeout: 120_000 }, async () => {
    const rendered = renderApiDocs((await serverOpenApiDocument()) as never);
    expect(await readFile(path.join(ROOT, API_DOCS_FILE), 'utf8')).toBe(rendered);
    // The reference a client developer needs: every route, its body, its codes.
    expect(rendered).toContain('### `POST /api/auth/login`');
    expect(rendered).toContain('| 401 | `INVALID_CREDENTIALS` |');
    expect(rendered).toContain('### `GET /api/rbac/rate-limits`');
  });

  it('README and docs/ point at nothing outside the repository', async () => {
    const files = ['README.md', ...(await readdir(path.join(ROOT, 'docs'))).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
    for (const file of files) {
      const text = await readFile(path.join(ROOT, file), 'utf8');
      expect(text, file).not.toMatch(/\.\.\/shared|\/work\/shared|\]\(\.\.\/\.\.\//);
    }
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('/docs');
    expect(readme).toContain('docs/api.md');
  });
});

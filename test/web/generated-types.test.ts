// The web UI's generated types and vocabulary (web/src/generated/) are the
// server's OpenAPI document as it is now: regenerated in memory, they must
// equal the committed files, or `npm run generate:web-types` was forgotten.
// And the workflow the UI offers is the server's STATUS_TRANSITIONS.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { OpenAPI3 } from 'openapi-typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { STATUS_TRANSITIONS } from '../../src/core/vocabulary.js';
import { packageRoot } from '../../src/http/routes/web.js';
import { generateWebTypes, serverOpenApiDocument, vocabularyOf } from '../../scripts/web-types.js';
import { STATUS_TRANSITIONS as WEB_STATUS_TRANSITIONS } from '../../web/src/generated/vocabulary.js';

const ROOT = packageRoot();

let document: OpenAPI3;

beforeAll(async () => {
  document = await serverOpenApiDocument();
});

describe('web/src/generated', () => {
  it('the committed files equal what the current OpenAPI document generates (run `npm run generate:web-types` when this fails)', { timeout: 120_000 }, async () => {
    const generated = await generateWebTypes(document);
    expect(Object.keys(generated).sort()).toEqual(['web/src/generated/openapi.d.ts', 'web/src/generated/vocabulary.ts']);
    for (const [file, text] of Object.entries(generated)) {
      expect(await readFile(path.join(ROOT, file), 'utf8'), `${file} is stale`).toBe(text);
    }
  });

  it("the UI's status workflow is the server's STATUS_TRANSITIONS, carried by the document's x-status-transitions", () => {
    expect(WEB_STATUS_TRANSITIONS).toEqual(STATUS_TRANSITIONS);
  });

  it('a document without the workflow extension is refused, not generated without a workflow', () => {
    const broken = structuredClone(document) as any;
    delete broken.paths['/api/applications/{id}'].get.responses['200'].content['application/json'].schema.properties.status['x-status-transitions'];
    expect(() => vocabularyOf(broken)).toThrow(/x-status-transitions/);
  });
});

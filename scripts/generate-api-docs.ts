// `npm run docs:api`: writes docs/api.md from the server's OpenAPI document
// (see api-docs.ts); test/docs/api-docs.test.ts fails when it is stale.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { API_DOCS_FILE, renderApiDocs } from './api-docs.js';
import { serverOpenApiDocument } from './web-types.js';

const root = path.resolve(import.meta.dirname, '..');
await writeFile(path.join(root, API_DOCS_FILE), renderApiDocs((await serverOpenApiDocument()) as never));
console.log(`wrote ${API_DOCS_FILE}`);

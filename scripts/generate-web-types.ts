// `npm run generate:web-types`: writes web/src/generated/ from the server's
// OpenAPI document (see web-types.ts). The files are committed, so a clone
// type-checks without a build; test/web/generated-types.test.ts fails when
// they are stale.

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateWebTypes } from './web-types.js';

const root = path.resolve(import.meta.dirname, '..');
for (const [file, text] of Object.entries(await generateWebTypes())) {
  await mkdir(path.dirname(path.join(root, file)), { recursive: true });
  await writeFile(path.join(root, file), text);
  console.log(`wrote ${file}`);
}

// docs/api.md, the reference a client developer reads, rendered from the
// server's own OpenAPI document (the one /docs shows): routes by tag, who may
// call each, parameters, bodies, answers, and every problem code a route may
// answer (x-problem-codes, from src/errors.ts). Used by
// scripts/generate-api-docs.ts (`npm run docs:api`) and by
// test/docs/api-docs.test.ts (fails when docs/api.md is stale).

import { ERROR_CATALOGUE } from '../src/errors.js';

export const API_DOCS_FILE = 'docs/api.md';

type Json = Record<string, any>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** A JSON Schema as a short TypeScript-like type: `{ email: string, password: string }`. */
export function renderSchema(schema: Json | undefined, document: Json, depth = 0): string {
  if (!schema) return 'unknown';
  if (schema.$ref) {
    const name = String(schema.$ref).replace(/^#\/components\/schemas\//, '').replace(/#$/, '');
    return name;
  }
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((value: unknown) => JSON.stringify(value)).join(' | ');
  const union = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(union)) return union.map((member: Json) => renderSchema(member, document, depth)).join(' | ');
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : schema.type;
  if (type === 'array') return `${wrap(renderSchema(schema.items, document, depth))}[]`;
  if (type === 'object' || schema.properties) {
    const properties = Object.entries((schema.properties ?? {}) as Record<string, Json>);
    if (properties.length === 0) return schema.additionalProperties === false ? '{}' : 'object';
    if (depth >= 3) return 'object';
    const required = new Set<string>(schema.required ?? []);
    const indent = '  '.repeat(depth + 1);
    const members = properties.map(([name, member]) => `${indent}${name}${required.has(name) ? '' : '?'}: ${renderSchema(member, document, depth + 1)}`);
    return `{\n${members.join(',\n')}\n${'  '.repeat(depth)}}`;
  }
  if (type === 'string' && schema.format) return `string (${schema.format})`;
  return type ?? 'unknown';
}

const wrap = (text: string) => (text.includes(' | ') ? `(${text})` : text);
const cell = (text: unknown) => String(text ?? '').replace(/\|/g, '\\|').replace(/\n+/g, ' ');

function renderParameters(operation: Json, document: Json): string[] {
  const parameters = (operation.parameters ?? []) as Json[];
  if (parameters.length === 0) return [];
  return [
    '',
    '| parameter | in | required | type | description |',
    '|---|---|---|---|---|',
    ...parameters.map((parameter) => `| \`${parameter.name}\` | ${parameter.in} | ${parameter.required ? 'yes' : 'no'} | ${cell(renderSchema(parameter.schema, document))} | ${cell(parameter.description ?? parameter.schema?.description)} |`),
  ];
}

function renderOperation(method: string, path: string, operation: Json, document: Json): string[] {
  const lines = [`### \`${method.toUpperCase()} ${path}\``, '', operation.summary ?? '', ''];
  if (operation.description) lines.push(operation.description, '');
  lines.push(`Who may call it: ${operation['x-access'] ?? 'public'}${operation.security ? ' (`Authorization: Bearer <access token>`)' : ''}.`);
  lines.push(...renderParameters(operation, document));
  const body = operation.requestBody?.content?.['application/json']?.schema;
  if (body) lines.push('', 'Body (`application/json`):', '', '```ts', renderSchema(body, document), '```');
  lines.push('', 'Answers:', '');
  for (const [status, response] of Object.entries((operation.responses ?? {}) as Record<string, Json>)) {
    if (/^[45]XX$/.test(status)) continue;
    const [type, media] = Object.entries((response.content ?? {}) as Record<string, Json>)[0] ?? [];
    lines.push(`- \`${status}\`${type ? ` (\`${type}\`)` : ''}: ${cell(response.description)}`);
    if (media?.schema && type === 'application/json') lines.push('', '  ```ts', ...renderSchema(media.schema, document).split('\n').map((line) => `  ${line}`), '  ```', '');
  }
  const codes = (operation['x-problem-codes'] ?? []) as { code: string; status: number; detail: string }[];
  if (codes.length > 0) {
    lines.push('', 'Problem codes (`application/problem+json`):', '', '| status | code | detail |', '|---|---|---|');
    for (const entry of codes) lines.push(`| ${entry.status} | \`${entry.code}\` | ${cell(entry.detail)} |`);
  }
  lines.push('');
  return lines;
}

export function renderApiDocs(document: Json): string {
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries((document.paths ?? {}) as Record<string, Json>)) {
    for (const method of METHODS) {
      const operation = methods[method];
      if (!operation) continue;
      const tag = operation.tags?.[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), ...renderOperation(method, path, operation, document)]);
    }
  }
  const lines = [
    `# ${document.info?.title ?? 'API'} — reference`,
    '',
    '<!-- GENERATED by `npm run docs:api` from the server\'s OpenAPI document; do not edit. -->',
    '',
    document.info?.description ?? '',
    '',
    `Version ${document.info?.version ?? ''}. A running server serves the same document at \`/openapi.json\` and browses it at \`/docs\`.`,
    '',
    '## Errors',
    '',
    'Every answer but a 2xx is an RFC 9457 problem document (`application/problem+json`): `{ type, title, status, code, detail }`,',
    'with `errors: [{ path, message }]` on `VALIDATION_FAILED` (`path` a JSON Pointer). Branch on `code`; show `detail`.',
    'Every 429 carries `Retry-After`. The codes:',
    '',
    '| status | code | detail |',
    '|---|---|---|',
    ...Object.entries(ERROR_CATALOGUE).map(([code, entry]) => `| ${entry.status} | \`${code}\` | ${cell(entry.detail)} |`),
    '',
  ];
  for (const [tag, operations] of [...byTag].sort(([a], [b]) => a.localeCompare(b))) lines.push(`## ${tag}`, '', ...operations);
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

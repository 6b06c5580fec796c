// Strict validation (API.md "Errors"): bodies are never coerced and unknown
// fields are refused; query strings and path parameters arrive as text, so
// only they are coerced to the declared number or boolean types.

import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { FieldError } from '../errors.js';

function createAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({ coerceTypes, removeAdditional: false, useDefaults: true, allErrors: true, strict: false });
  (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  return ajv;
}

const strictAjv = createAjv(false);
const textAjv = createAjv(true);

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? strictAjv : textAjv;
  return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
};

/** RFC 6901: "~" → "~0", "/" → "~1". */
function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Ajv errors → `[{ path, message }]` with a JSON Pointer to the field, also for a missing or unknown one. */
export function toFieldErrors(errors: readonly ErrorObject[]): FieldError[] {
  const seen = new Set<string>();
  const fieldErrors: FieldError[] = [];
  for (const error of errors) {
    let path = error.instancePath;
    let message = error.message ?? 'is not valid';
    if (error.keyword === 'required') {
      path = `${path}/${escapePointerToken(String(error.params.missingProperty))}`;
      message = 'is required';
    } else if (error.keyword === 'additionalProperties') {
      path = `${path}/${escapePointerToken(String(error.params.additionalProperty))}`;
      message = 'is not an allowed field';
    } else if (error.keyword === 'anyOf' || error.keyword === 'oneOf' || error.keyword === 'if') {
      continue; // its branches' own errors are more precise
    }
    const key = `${path}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    fieldErrors.push({ path: path === '' ? '/' : path, message });
  }
  return fieldErrors.length > 0 ? fieldErrors : [{ path: '/', message: 'is not valid' }];
}

/**
 * The JSON Pointer of the first string (a value or an object key) that holds
 * U+0000, or undefined. PostgreSQL cannot store U+0000 in text or jsonb, so
 * such a string would reach the database only to fail there (a 500 whose
 * error names every query parameter); it is refused at its path instead.
 */
export function findNulCharacter(value: unknown, pointer = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? (pointer === '' ? '/' : pointer) : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const found = findNulCharacter(value[index], `${pointer}/${index}`);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, child] of Object.entries(value)) {
    const childPointer = `${pointer}/${escapePointerToken(key)}`;
    if (key.includes('\u0000')) return childPointer;
    const found = findNulCharacter(child, childPointer);
    if (found) return found;
  }
  return undefined;
}

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Path parameters that are UUIDs, in lower case. Ids are compared as UUIDs
 * whatever their case (API.md "Roles and permissions"): PostgreSQL already
 * does, but code comparing ids as text (the self-change rule) would not, so
 * every id is made canonical before any handler sees it.
 */
export function canonicalUuidParams(params: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === 'string' && UUID_TEXT.test(value) && value !== value.toLowerCase()) params[name] = value.toLowerCase();
  }
}

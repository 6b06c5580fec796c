// fast-check arbitraries for requests generated from a route's own schema:
// values that fit it, values of the wrong type, odd strings (U+0000, lone
// surrogates, bidi controls, combining marks, 64 KiB), deep nesting and
// prototype keys, odd content types and malformed JSON. Nothing here names
// a route: a new route is fuzzed by being in the route table.

import fc from 'fast-check';

type Schema = Record<string, any>;

/** A marker put in secret-looking fields; the suite proves no log line holds it. */
export const CANARY = 'CANARY-9f3c';
const SECRET_FIELDS = /password|code|token|secret/i;

export const ODD_STRINGS: string[] = [
  '',
  ' ',
  '\u0000',
  'Evil\u0000Co',
  '\ud800',
  'lone \udfff low',
  '\u202eevil\u202c',
  '\u2066bidi\u2069',
  'e\u0301\u0301\u0301\u0301',
  'Z\u0351\u0352\u0353\u0354\u0355\u0356',
  '\ufeffbom',
  '\uffff',
  '%00',
  '../../etc/passwd',
  "' or 1=1 --",
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  'x'.repeat(300),
  'x'.repeat(64 * 1024),
  '1e309',
  '-0',
  'NaN',
  '00000000-0000-0000-0000-000000000000',
];

const oddString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-composite', maxLength: 20 }) },
);

const deep = (depth: number): unknown => {
  let value: unknown = 'bottom';
  for (let index = 0; index < depth; index += 1) value = index % 2 === 0 ? { a: value } : [value];
  return value;
};

/** A JSON object whose own keys are prototype names (made with JSON.parse so they are own keys). */
const prototypeObject = fc.constantFrom(
  JSON.parse('{"__proto__": {"isAdmin": true}}'),
  JSON.parse('{"constructor": {"prototype": {"polluted": true}}}'),
  JSON.parse('{"__proto__": null, "roles": ["admin"]}'),
);

export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  oddString,
  fc.integer(),
  fc.double(),
  fc.constantFrom(2 ** 53, -(2 ** 53), 1e308, 0, -1, 0.5),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(deep(64), deep(600)),
  prototypeObject,
  fc.array(fc.oneof(fc.integer(), oddString), { maxLength: 4 }),
  fc.dictionary(oddString, fc.oneof(fc.integer(), oddString), { maxKeys: 3 }),
);

export interface Fixtures {
  /** Ids that exist (applications, users, lenders, sessions): so generated requests reach past "not found". */
  ids: string[];
}

function stringFor(schema: Schema, fixtures: Fixtures, name: string): fc.Arbitrary<unknown> {
  const fitting: fc.Arbitrary<string>[] = [];
  if (schema.format === 'uuid' || /id$/i.test(name)) {
    fitting.push(fc.constantFrom(...fixtures.ids), fc.constantFrom(...fixtures.ids).map((id) => id.toUpperCase()), fc.uuid());
  }
  if (schema.format === 'email' || /email/i.test(name)) fitting.push(fc.emailAddress(), fc.constant('admin@boreal.com'));
  if (/phone/i.test(name)) fitting.push(fc.constantFrom('+16135550199', '+442071838750', '+1613555', '+999'));
  if (SECRET_FIELDS.test(name)) fitting.push(fc.constant(`${CANARY}-secret`), fc.constantFrom('123456', '000000'));
  if (typeof schema.pattern === 'string') fitting.push(fc.stringMatching(new RegExp(schema.pattern)).filter((text) => text.length <= 300));
  fitting.push(fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) }));
  return fc.oneof({ weight: 3, arbitrary: fc.oneof(...fitting) }, { weight: 2, arbitrary: oddString }, { weight: 1, arbitrary: anyJson });
}

/** A value for `schema`: mostly shaped like it, often not. */
export function valueFor(schema: Schema | undefined, fixtures: Fixtures, name = '', depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return anyJson;
  const branches = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(branches)) return fc.oneof(...branches.map((branch: Schema) => valueFor(branch, fixtures, name, depth + 1)), anyJson);
  if (Array.isArray(schema.enum)) return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...schema.enum) }, { weight: 1, arbitrary: anyJson });
  if ('const' in schema) return fc.oneof({ weight: 4, arbitrary: fc.constant(schema.const) }, { weight: 1, arbitrary: anyJson });
  switch (schema.type) {
    case 'string':
      return stringFor(schema, fixtures, name);
    case 'integer':
    case 'number':
      return fc.oneof(
        { weight: 3, arbitrary: fc.integer({ min: schema.minimum ?? -10, max: Math.min(schema.maximum ?? 1_000_000, 1_000_000) }) },
        { weight: 1, arbitrary: anyJson },
      );
    case 'boolean':
      return fc.oneof({ weight: 3, arbitrary: fc.boolean() }, { weight: 1, arbitrary: anyJson });
    case 'null':
      return fc.oneof(fc.constant(null), anyJson);
    case 'array':
      return fc.oneof(
        { weight: 3, arbitrary: fc.array(valueFor(schema.items, fixtures, name, depth + 1), { maxLength: 4 }) },
        { weight: 1, arbitrary: anyJson },
      );
    case 'object':
      return objectFor(schema, fixtures, depth);
    default:
      return anyJson;
  }
}

function objectFor(schema: Schema, fixtures: Fixtures, depth: number): fc.Arbitrary<unknown> {
  const properties: Record<string, Schema> = schema.properties ?? {};
  const shaped = fc.record(
    Object.fromEntries(Object.entries(properties).map(([key, child]) => [key, valueFor(child, fixtures, key, depth + 1)])),
    { requiredKeys: [] },
  );
  const withExtra = fc.tuple(shaped, fc.constantFrom('__proto__', 'constructor', 'prototype', 'isAdmin', 'status', 'extra'), anyJson).map(([object, key, value]) => {
    // defineProperty: an own "__proto__" key, as JSON.parse would make it.
    const copy: Record<string, unknown> = { ...(object as Record<string, unknown>) };
    Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
    return copy;
  });
  return fc.oneof({ weight: 5, arbitrary: shaped }, { weight: 2, arbitrary: withExtra }, { weight: 1, arbitrary: anyJson });
}

/** percent-encoding that survives lone surrogates (encoded as the invalid UTF-8 they would be). */
export function encodeComponent(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return [...value].map((character) => {
      try {
        return encodeURIComponent(character);
      } catch {
        return '%ED%A0%80';
      }
    }).join('');
  }
}

export function queryStringFor(schema: Schema | undefined, fixtures: Fixtures): fc.Arbitrary<string> {
  const shaped = valueFor(schema ?? { type: 'object', properties: {} }, fixtures).map((value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return `q=${encodeComponent(String(value))}`;
    return Object.entries(value as Record<string, unknown>)
      .map(([key, item]) => `${encodeComponent(key)}=${encodeComponent(typeof item === 'string' ? item : JSON.stringify(item) ?? '')}`)
      .join('&');
  });
  return fc.oneof(
    { weight: 4, arbitrary: shaped },
    { weight: 1, arbitrary: fc.constantFrom('', '%', '%zz', 'a=%00', 'limit=1&limit=2', '__proto__[x]=1', 'constructor=1', '&&&=', 'a'.repeat(5000)) },
  );
}

export type BodyVariant =
  | { kind: 'json'; value: unknown; contentType: string }
  | { kind: 'raw'; payload: string; contentType: string | undefined };

export const bodyFor = (schema: Schema | undefined, fixtures: Fixtures): fc.Arbitrary<BodyVariant> =>
  fc.oneof(
    { weight: 8, arbitrary: valueFor(schema, fixtures).map((value): BodyVariant => ({ kind: 'json', value, contentType: 'application/json' })) },
    { weight: 1, arbitrary: valueFor(schema, fixtures).map((value): BodyVariant => ({ kind: 'json', value, contentType: 'application/json; charset=utf-8' })) },
    {
      weight: 2,
      arbitrary: fc.record({
        payload: fc.constantFrom('', '{', '{"a":', 'null', '[]', '"x"', '{"a":1}{"b":2}', '{"__proto__":{"x":1}}', '\u0000', `{"x":"${'y'.repeat(70 * 1024)}"}`),
        contentType: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', undefined),
      }).map((raw): BodyVariant => ({ kind: 'raw', ...raw })),
    },
  );

/** A path with every `:param` and `*` filled: with a fixture id, its capitals, or something odd. */
export function pathFor(url: string, fixtures: Fixtures): fc.Arbitrary<string> {
  const parts = url.split('/');
  return fc.tuple(
    ...parts.map((part) => {
      if (part.startsWith(':') || part === '*') {
        return fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...fixtures.ids) },
          { weight: 1, arbitrary: fc.constantFrom(...fixtures.ids).map((id) => id.toUpperCase()) },
          { weight: 2, arbitrary: oddString.map(encodeComponent) },
          { weight: 1, arbitrary: fc.constantFrom('%00', '%2e%2e', '..%2F..%2F', '%', '%E0%A4%A', 'x'.repeat(500)) },
        ).filter((segment) => segment.length > 0);
      }
      return fc.constant(part);
    }),
  ).map((segments) => segments.join('/'));
}

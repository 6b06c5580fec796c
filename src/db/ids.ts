// Row ids are UUIDs. PostgreSQL answers a malformed uuid with an error (a 500
// if unchecked), so callers test the text first and treat it as "no such row".

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

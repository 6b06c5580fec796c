// Keyset pagination over an insertion-order `seq` column. Unlike OFFSET, a
// page boundary is a row, so rows inserted while a client walks the pages
// neither repeat nor push older rows out of sight.

/** `rows` were fetched with `limit + 1`: the extra row only says that another page exists. */
export function keysetPage<Row extends { seq: number }>(rows: Row[], limit: number): { rows: Row[]; nextSeq: number | null } {
  if (rows.length <= limit) return { rows, nextSeq: null };
  const page = rows.slice(0, limit);
  return { rows: page, nextSeq: page[page.length - 1]!.seq };
}

/** A unique violation (SQLSTATE 23505), whether pg, PGlite or Drizzle's wrapper raised it. */
export function isUniqueViolation(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    if ((current as { code?: unknown }).code === '23505') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

// The lists that page with the server's cursor (applications, audit events,
// users): the loading state, the filter form above them, and the table with
// its empty state, its count and "Load more" below it. Each screen says only
// what it fetches, its filter fields, its columns and its rows.

import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { portalMessage } from './messages';
import { ErrorMessage } from './ui';

/** One page as every list route answers it (shared/API.md: `items` and `nextCursor`, null on the last page). */
export interface Page<Item> {
  items: Item[];
  nextCursor: string | null;
}

export interface PagedList<Item> {
  items: Item[];
  nextCursor: string | null;
  loading: boolean;
  error: string | null;
  /** Loads the first page again (after a change), replacing what is shown. */
  reload: () => void;
  /** Appends the next page. */
  loadMore: () => void;
}

/**
 * The list that `fetchPage` reads, first page on mount. Wrap `fetchPage` in
 * useCallback with the filters it reads: when they change, the list loads
 * again from the first page.
 */
export function usePagedList<Item>(fetchPage: (cursor: string | null) => Promise<Page<Item>>): PagedList<Item> {
  const [items, setItems] = useState<Item[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    async (cursor: string | null) => {
      setLoading(true);
      setError(null);
      try {
        const page = await fetchPage(cursor);
        setItems((previous) => (cursor ? [...previous, ...page.items] : page.items));
        setNextCursor(page.nextCursor);
      } catch (caught) {
        setError(portalMessage(caught));
      } finally {
        setLoading(false);
      }
    },
    [fetchPage],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  return { items, nextCursor, loading, error, reload: () => void load(null), loadMore: () => void load(nextCursor) };
}

/**
 * The filter form above a list (a search landmark). The screen keeps the
 * draft and puts it in the URL in `onSearch`; `clearHref`, when given, is a
 * "Clear filters" link after the button.
 */
export function FilterBar({
  label,
  submitLabel,
  onSearch,
  clearHref,
  children,
}: {
  label: string;
  submitLabel: string;
  onSearch: () => void;
  clearHref?: string;
  children: ReactNode;
}) {
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSearch();
  };
  return (
    <form className="filters" role="search" aria-label={label} onSubmit={submit}>
      {children}
      <button type="submit">{submitLabel}</button>
      {clearHref && (
        <a className="button" href={clearHref}>
          Clear filters
        </a>
      )}
    </form>
  );
}

/**
 * The list's error, its table (or, with `empty`, a box saying why there is
 * nothing), how many rows are shown, and "Load more" while the server has
 * more. `columns` are the header cells, `children` the rows.
 */
export function PagedTable({
  list,
  caption,
  columns,
  empty,
  children,
}: {
  list: PagedList<unknown>;
  caption: string;
  columns: ReactNode;
  empty?: ReactNode;
  children: ReactNode;
}) {
  const { items, nextCursor, loading, error } = list;
  return (
    <>
      <ErrorMessage>{error}</ErrorMessage>
      {empty !== undefined && !loading && !error && items.length === 0 ? (
        <div className="empty">{empty}</div>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{caption}</caption>
            <thead>
              <tr>{columns}</tr>
            </thead>
            <tbody>{children}</tbody>
          </table>
        </div>
      )}
      <p className="hint" aria-live="polite">
        {loading ? 'Loading…' : `${items.length} shown${nextCursor ? '; more are available' : ''}.`}
      </p>
      {nextCursor && (
        <button type="button" onClick={list.loadMore} disabled={loading}>
          Load more
        </button>
      )}
    </>
  );
}

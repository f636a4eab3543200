/** Small pieces of markup the pages share. */
import type { ReactNode } from 'react';

/** A failed request's message, announced to screen readers; nothing when there is none. */
export function ErrorLine({ error }: { error: string }) {
  if (!error) return null;
  return (
    <p role="alert" className="error">
      {error}
    </p>
  );
}

/**
 * A scrollable table: one header cell per column (a `false` column is left out, for columns
 * only some roles see) and the rows given as children.
 */
export function DataTable({
  columns,
  compact = false,
  testId,
  children,
}: {
  columns: readonly (string | false)[];
  compact?: boolean;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <div className="table-scroll">
      <table className={compact ? 'compact' : undefined} data-testid={testId}>
        <thead>
          <tr>
            {columns.map((column) =>
              column === false ? null : (
                <th scope="col" key={column}>
                  {column}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/**
 * A list still loading ("Loading…", or `loading`), empty (`empty`, in a paragraph) or there
 * (`children` renders it).
 */
export function Listing<T>({
  items,
  empty,
  loading = <p className="muted">Loading…</p>,
  children,
}: {
  items: readonly T[] | null;
  empty: ReactNode;
  loading?: ReactNode;
  children: (items: readonly T[]) => ReactNode;
}) {
  if (!items) return <>{loading}</>;
  if (items.length === 0) return <p>{empty}</p>;
  return <>{children(items)}</>;
}

/** A labelled drop-down filter over fixed values, with an "any" choice (value "") when `any` is set. */
export function FilterSelect({
  label,
  value,
  values,
  any = false,
  onChange,
}: {
  label: string;
  value: string;
  values: readonly string[];
  any?: boolean;
  onChange: (value: string) => void;
}) {
  return (
    <label>
      {label}
      <select value={value} onChange={(event) => onChange(event.target.value)}>
        {any && <option value="">any</option>}
        {values.map((choice) => (
          <option key={choice}>{choice}</option>
        ))}
      </select>
    </label>
  );
}

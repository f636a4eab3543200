/**
 * CLI output: tables for people, JSON (`--json`) for scripts, and errors as
 * `error[code]: message` on stderr with a non-zero exit code.
 */
import { EnsuresecError, isEnsuresecError } from '../core/errors.js';

export interface Output {
  json: boolean;
  /** Prints a list: JSON array with --json, else a table of the named columns. */
  list<T extends object>(items: T[], columns: (keyof T & string)[]): void;
  /** Prints one result: JSON with --json, else `key: value` lines. */
  result(value: Record<string, unknown>): void;
  line(text: string): void;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function createOutput(
  json: boolean,
  write: (text: string) => void = (text) => process.stdout.write(text),
): Output {
  return {
    json,
    list(items, columns) {
      if (json) return write(JSON.stringify(items, null, 2) + '\n');
      if (items.length === 0) return write('(none)\n');
      const rows = items.map((item) =>
        columns.map((column) => cell((item as Record<string, unknown>)[column])),
      );
      const widths = columns.map((column, i) =>
        Math.max(column.length, ...rows.map((row) => (row[i] ?? '').length)),
      );
      const format = (values: string[]) =>
        values
          .map((value, i) => value.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd();
      write([format(columns.map((column) => column.toUpperCase())), ...rows.map(format)].join('\n') + '\n');
    },
    result(value) {
      if (json) return write(JSON.stringify(value, null, 2) + '\n');
      const width = Math.max(...Object.keys(value).map((key) => key.length));
      write(
        Object.entries(value)
          .map(([key, entry]) => `${(key + ':').padEnd(width + 1)} ${cell(entry)}`)
          .join('\n') + '\n',
      );
    },
    line(text) {
      if (!json) write(text + '\n');
    },
  };
}

/** Prints an error the way every command does and returns the exit code. */
export function reportError(error: unknown, json: boolean): number {
  const known = isEnsuresecError(error)
    ? error
    : new EnsuresecError('internal', { detail: error instanceof Error ? error.message : String(error) });
  if (json) {
    process.stderr.write(JSON.stringify(known.toBody()) + '\n');
  } else {
    process.stderr.write(`error[${known.code}]: ${known.message}\n`);
  }
  return 1;
}

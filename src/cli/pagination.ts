/** The `--limit` / `--cursor` options every list command shares, and the hint to the next page. */
import { Option, type Command } from 'commander';
import type { Output } from './output.js';

export interface PageFlags {
  limit?: number;
  cursor?: string;
}

export function withPageOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--limit <n>', 'items per page (1-500)').argParser((value) => {
        const limit = Number.parseInt(value, 10);
        if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new Error('--limit must be 1..500');
        return limit;
      }),
    )
    .option('--cursor <cursor>', 'the next page, as printed after the previous one');
}

export function pageOf(flags: PageFlags): { limit?: number; cursor?: string } {
  return {
    ...(flags.limit ? { limit: flags.limit } : {}),
    ...(flags.cursor ? { cursor: flags.cursor } : {}),
  };
}

export function nextPageHint(output: Output, nextCursor: string | null): void {
  if (nextCursor) output.line(`more: --cursor ${nextCursor}`);
}

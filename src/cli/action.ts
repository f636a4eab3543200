/** Wraps a command's action: gives it its context, turns any error into a printed code and exit status. */
import type { Command } from 'commander';
import { contextOf, type CommandContext } from './context.js';
import { reportError } from './output.js';

export function action<A extends unknown[]>(
  handler: (context: CommandContext, ...args: A) => Promise<void>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const context = contextOf(command);
    try {
      await handler(context, ...(args.slice(0, -1) as A));
    } catch (error) {
      process.exitCode = reportError(error, context.output.json);
    }
  };
}

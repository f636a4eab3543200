/** Keeps a long-running command alive until SIGINT or SIGTERM, then closes it cleanly (a second signal forces exit). */
import type { Logger } from 'pino';

export function waitForShutdown(close: () => Promise<void>, logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(130);
      stopping = true;
      logger.info({ signal }, 'shutting down');
      close()
        .catch((error) => logger.error({ err: error }, 'shutdown failed'))
        .finally(() => resolve());
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * A little server for the scanner's blind-injection tests (loopback only): flaws that show
 * only in timing, and traps that are slow without being vulnerable. Not used at run time.
 * - `/lookup?sku=`: a blind command injection, simulated (no shell is ever run): `;sleep N`,
 *   `$(sleep N)` or a quote-breaking form in the value waits N seconds, output is never shown;
 * - `/pg-search?q=`: time-based SQL injection in a real PostgreSQL query (errors hidden), when
 *   `pgUrl` is given;
 * - `/count?id=`: a simulated SQLite whose speed drifts (no database is run): a recursive CTE
 *   counting N rows (`WITH RECURSIVE … n<N`) in the value takes N × 0.13 µs, then N × 0.12 µs,
 *   in turn, so the scanner's first heavy payload slows the answer by about 0.5 s: on one side
 *   of the required gap in one pair, on the other in the next (a fast machine under load);
 * - `/jitter?q=`: answers after a random 0-300 ms, whatever the value (a busy server);
 * - `/tarpit?q=`: a filter that waits 0.8 s whenever the value holds a quote (a slow WAF),
 *   so a payload and its control are equally slow.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

const SLEEP_IN_SHELL = /(?:^|[;|&\n`]|\$\()\s*sleep\s+(\d+)/;
const COUNTED_ROWS = /with recursive.*\bn\s*<\s*(\d+)/i;
/** µs a simulated row takes, used in turn by `/count`. */
const DRIFTING_ROW_US = [0.13, 0.12];

function page(res: ServerResponse, body: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html><body>${body}</body></html>`);
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startBlindServer(
  options: { pgUrl?: string } = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const pool = options.pgUrl ? new pg.Pool({ connectionString: options.pgUrl, max: 2 }) : null;
  let heavyQueries = 0;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://blind.test');
    const q = url.searchParams;
    switch (url.pathname) {
      case '/':
        return page(
          res,
          `<a href="/lookup?sku=AB12">stock</a> <a href="/count?id=7">reviews</a> <a href="/jitter?q=kettle">busy</a> <a href="/tarpit?q=kettle">filtered</a>` +
            (pool ? ` <a href="/pg-search?q=kettle">search</a>` : ''),
        );
      case '/lookup': {
        const seconds = Number(SLEEP_IN_SHELL.exec(q.get('sku') ?? '')?.[1] ?? 0);
        await wait(Math.min(seconds, 5) * 1000);
        return page(res, '<p>Stock checked.</p>');
      }
      case '/count': {
        const rows = Number(COUNTED_ROWS.exec(q.get('id') ?? '')?.[1] ?? 0);
        if (rows > 1) {
          const perRowUs = DRIFTING_ROW_US[heavyQueries++ % DRIFTING_ROW_US.length] ?? 0;
          await wait(Math.min((rows * perRowUs) / 1000, 5000));
        }
        return page(res, '<p>7 reviews.</p>');
      }
      case '/jitter':
        await wait(Math.random() * 300);
        return page(res, `<p>Results for ${(q.get('q') ?? '').length} characters.</p>`);
      case '/tarpit':
        if ((q.get('q') ?? '').includes("'")) await wait(800);
        return page(res, '<p>Filtered.</p>');
      case '/pg-search': {
        try {
          // The deliberate flaw: the term is pasted into the SQL text; errors are hidden.
          await pool?.query(`SELECT 1 WHERE 'kettle' LIKE '%${q.get('q') ?? ''}%'`);
        } catch {
          // hidden, like a careful but vulnerable shop
        }
        return page(res, '<p>Search done.</p>');
      }
      default:
        res.writeHead(404).end();
    }
  };
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool?.end();
    },
  };
}

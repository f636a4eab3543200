/** What the scanner's fixture servers share: HTML escaping and a minimal page answer. */
import type { ServerResponse } from 'node:http';
import { escapeHtml } from '../report/html.js';

export { escapeHtml };

/** Answers a small HTML document titled `title` around `body`. */
export function htmlPage(
  res: ServerResponse,
  title: string,
  body: string,
  status = 200,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
  res.end(`<!doctype html><html><head><title>${title}</title></head><body>${body}</body></html>`);
}

/**
 * The pages a customer sees when a fail-safe mode answers instead of the shop (gateway
 * enforcement): plain, branded, self-contained HTML (no script, no third-party anything),
 * or the catalogue's JSON error for clients that do not ask for HTML.
 */
import { createHash } from 'node:crypto';
import { errorBody } from '../../core/errors.js';

export const PAGE_STYLE =
  'body{font-family:system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}' +
  'main{max-width:36rem;margin:12vh auto;padding:2rem;background:#fff;border-radius:12px;' +
  'box-shadow:0 1px 4px rgba(0,0,0,.12)}h1{font-size:1.5rem;margin-top:0}' +
  '.brand{font-weight:600;color:#2d5bd7;margin-bottom:1.5rem}.muted{color:#5a6272;font-size:.9rem}' +
  'button{font:inherit;padding:.6rem 1.2rem;border-radius:8px;border:1px solid #2d5bd7;' +
  'background:#2d5bd7;color:#fff;cursor:pointer}button:focus-visible{outline:3px solid #f0a500;' +
  'outline-offset:2px}progress{width:100%}';

export const PAGE_STYLE_HASH = `'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'`;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export interface PageParts {
  brand: string;
  title: string;
  /** Already escaped HTML. */
  bodyHtml: string;
  requestId: string;
}

export function renderPage(parts: PageParts): string {
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(parts.title)} – ${escapeHtml(parts.brand)}</title>` +
    `<style>${PAGE_STYLE}</style></head><body><main>` +
    `<div class="brand">${escapeHtml(parts.brand)}</div><h1>${escapeHtml(parts.title)}</h1>` +
    parts.bodyHtml +
    `<p class="muted">Reference: ${escapeHtml(parts.requestId)}</p></main></body></html>`
  );
}

/** The page of a mode that refuses a request (503 with Retry-After, or 403 in lockdown). */
export function modePageHtml(
  brand: string,
  code: 'mode_in_force' | 'mode_lockdown',
  retryAfterSec: number,
  requestId: string,
): string {
  const minutes = Math.max(1, Math.round(retryAfterSec / 60));
  const bodyHtml =
    code === 'mode_lockdown'
      ? '<p>The shop is closed to visitors for a short while to keep your data safe.</p>' +
        '<p>Please come back later. Nothing you did caused this.</p>'
      : '<p>This part of the shop is paused for a short while to keep your orders and payments safe. ' +
        'You can keep browsing; nothing has been charged.</p>' +
        `<p>Please try again in about ${minutes} minute${minutes === 1 ? '' : 's'}.</p>`;
  return renderPage({
    brand,
    title: code === 'mode_lockdown' ? 'Temporarily closed' : 'Temporarily unavailable',
    bodyHtml,
    requestId,
  });
}

/** HTML for browsers, the catalogue's JSON for everything else. */
export function wantsHtml(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('text/html');
}

export function modeJson(code: 'mode_in_force' | 'mode_lockdown', mode: string, requestId: string): string {
  return JSON.stringify(errorBody(code, `Fail-safe mode ${mode} is in force.`, requestId));
}

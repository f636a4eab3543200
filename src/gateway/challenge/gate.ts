/**
 * The challenge gate (gateway enforcement): decides whether a challenged client holds a valid
 * pass, serves the challenge page (or, to clients that do not ask for HTML, the catalogue's
 * JSON error with the challenge in `details`, so scripts can solve it too), and answers the
 * page's POST with a pass cookie and a 303 back to where the client was going.
 */
import { errorBody } from '../../core/errors.js';
import type { Exchange } from '../exchange.js';
import { escapeHtml, renderPage, wantsHtml } from '../modes/page.js';
import { CHALLENGE_CSP, CHALLENGE_PATH, challengePageHtml } from './page.js';
import { ChallengeTokens, type ChallengeSettings } from './tokens.js';

export const PASS_COOKIE = 'ensuresec_pass';
const MAX_FORM_BYTES = 2048;

const NO_STORE = ['cache-control', 'no-store'];

export interface ChallengeOptions extends ChallengeSettings {
  /** HMAC key of challenges and passes, at least 16 bytes; one per deployment, shared by its gateways. */
  secret: Buffer;
}

export class ChallengeGate {
  readonly tokens: ChallengeTokens;

  constructor(
    options: ChallengeOptions,
    private readonly brand: string,
  ) {
    this.tokens = new ChallengeTokens(options.secret, options);
  }

  static isChallengePath(url: string): boolean {
    return url === CHALLENGE_PATH || url.startsWith(`${CHALLENGE_PATH}?`);
  }

  hasPass(
    cookieHeader: string | undefined,
    clientIp: string,
    userAgent: string | undefined,
    nowMs: number,
  ): boolean {
    if (cookieHeader === undefined) return false;
    const value = cookieValue(cookieHeader, PASS_COOKIE);
    return value !== undefined && this.tokens.verifyPass(value, clientIp, userAgent, nowMs);
  }

  /** The page (browsers) or JSON with the challenge (others); 403 with `x-ensuresec-challenge`. */
  serveChallenge(exchange: Exchange, reason: string, nowMs: number): void {
    const req = exchange.req;
    const userAgent = req.headers['user-agent'];
    const challenge = this.tokens.issueChallenge(exchange.clientIp, userAgent, nowMs);
    const bits = this.tokens.settings.difficultyBits;
    const labels = { challenge: reason };
    const common = ['x-ensuresec-challenge', '1', ...NO_STORE];
    if (wantsHtml(req.headers.accept)) {
      const returnTo = safeReturnPath(req.url ?? '/', req.method ?? 'GET');
      const html = challengePageHtml(this.brand, challenge, bits, returnTo, exchange.requestId);
      const headers = ['content-type', 'text/html; charset=utf-8', 'content-security-policy', CHALLENGE_CSP];
      return exchange.answer(403, [...headers, ...common], html, 'rejected', labels);
    }
    const body = errorBody(
      'challenge_required',
      `Solve the challenge and POST it to ${CHALLENGE_PATH}.`,
      exchange.requestId,
    );
    body.error.details = { challenge, difficultyBits: bits, solveAt: CHALLENGE_PATH, field: 'nonce' };
    const headers = ['content-type', 'application/json; charset=utf-8', ...common];
    exchange.answer(403, headers, JSON.stringify(body), 'rejected', labels);
  }

  /** POST /.ensuresec/challenge: a right, fresh, first answer earns a pass cookie and a redirect back. */
  async answerSolution(exchange: Exchange, nowMs: number, secureCookie: boolean): Promise<void> {
    const req = exchange.req;
    if (req.method !== 'POST') {
      const body = JSON.stringify(
        errorBody('method_not_allowed', 'POST the solved challenge.', exchange.requestId),
      );
      return exchange.answer(
        405,
        ['allow', 'POST', 'content-type', 'application/json; charset=utf-8'],
        body,
        'rejected',
      );
    }
    const raw = await exchange.readBody(MAX_FORM_BYTES);
    if (raw === undefined) return;
    const form = new URLSearchParams(raw.toString('latin1'));
    const userAgent = req.headers['user-agent'];
    const check = this.tokens.checkSolution(
      form.get('challenge') ?? '',
      form.get('nonce') ?? '',
      exchange.clientIp,
      userAgent,
      nowMs,
    );
    const labels = { challenge: check.ok ? 'passed' : `failed:${check.reason}` };
    if (!check.ok) {
      if (wantsHtml(req.headers.accept)) {
        const html = renderPage({
          brand: this.brand,
          title: 'The check did not complete',
          bodyHtml:
            '<p>The check expired or was already used. ' +
            `<a href="${escapeHtml(safeReturnPath(form.get('return') ?? '/', 'GET'))}">Go back and try again</a>.</p>`,
          requestId: exchange.requestId,
        });
        return exchange.answer(
          403,
          ['content-type', 'text/html; charset=utf-8', ...NO_STORE],
          html,
          'rejected',
          labels,
        );
      }
      const body = JSON.stringify(
        errorBody('challenge_failed', `The answer was ${check.reason}.`, exchange.requestId),
      );
      return exchange.answer(
        403,
        ['content-type', 'application/json; charset=utf-8', ...NO_STORE],
        body,
        'rejected',
        labels,
      );
    }
    const pass = this.tokens.issuePass(exchange.clientIp, userAgent, nowMs);
    const maxAgeSec = Math.floor(this.tokens.settings.passTtlMs / 1000);
    const cookie =
      `${PASS_COOKIE}=${pass}; Path=/; Max-Age=${maxAgeSec}; HttpOnly; SameSite=Lax` +
      (secureCookie ? '; Secure' : '');
    const location = safeReturnPath(form.get('return') ?? '/', 'GET');
    exchange.answer(303, ['location', location, 'set-cookie', cookie, ...NO_STORE], '', 'rejected', labels);
  }
}

/**
 * A same-site path to go back to (by GET): never another origin (`//evil`, `/\\evil`), never the
 * challenge itself; a challenged POST goes back to its path without the query.
 */
export function safeReturnPath(target: string, method: string): string {
  if (method !== 'GET' && method !== 'HEAD') target = target.split('?')[0] ?? '/';
  if (!target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) return '/';
  if (target.length > 2048 || hasControlCharacter(target)) return '/';
  if (ChallengeGate.isChallengePath(target)) return '/';
  return target;
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

function cookieValue(header: string, name: string): string | undefined {
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

import { createHash, webcrypto } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import {
  makeDecision,
  mutableProvider,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from '../testing/harness.js';
import { PASS_COOKIE, safeReturnPath } from './gate.js';
import { CHALLENGE_CSP, CHALLENGE_PATH, challengePageHtml } from './page.js';
import { ChallengeTokens, leadingZeroBits } from './tokens.js';

const BITS = 10;
const UA = 'Mozilla/5.0 (challenge test)';

/** What the page's script does, with node:crypto. */
function solve(challenge: string, bits: number): string {
  for (let nonce = 0; ; nonce++) {
    if (
      leadingZeroBits(
        createHash('sha256')
          .update(challenge + nonce)
          .digest(),
      ) >= bits
    )
      return String(nonce);
  }
}

function challengeFrom(html: string): string {
  const match = /name="challenge" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no challenge in the page');
  return match[1];
}

describe('proof-of-work challenge through the gateway', () => {
  let upstream: Upstream;
  let gw: TestGateway;
  const decisions = mutableProvider([
    makeDecision({ action: 'challenge', scope: 'cidr', value: '127.0.0.0/8' }),
  ]);

  beforeAll(async () => {
    upstream = await startUpstream();
    gw = await startGateway(upstream.url, {
      decisions: decisions.provider,
      challenge: { secret: Buffer.alloc(32, 9), difficultyBits: BITS, passTtlMs: 2_000 },
      brand: 'Demo Shop',
    });
  });
  afterAll(async () => {
    await gw.gateway.close();
    await upstream.close();
  });

  async function fetchChallenge(
    path = '/account?tab=orders',
  ): Promise<{ status: number; html: string; csp: unknown }> {
    const res = await request(`${gw.base}${path}`, { headers: { accept: 'text/html', 'user-agent': UA } });
    return {
      status: res.statusCode,
      html: await res.body.text(),
      csp: res.headers['content-security-policy'],
    };
  }

  async function post(form: Record<string, string>, userAgent = UA) {
    const res = await request(`${gw.base}${CHALLENGE_PATH}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': userAgent,
        accept: 'text/html',
      },
      body: new URLSearchParams(form).toString(),
    });
    await res.body.text();
    return res;
  }

  it('serves an accessible, self-contained page to a challenged browser', async () => {
    const before = upstream.seen.length;
    const { status, html, csp } = await fetchChallenge();
    expect(status).toBe(403);
    expect(csp).toBe(CHALLENGE_CSP);
    expect(html).toContain('<noscript>');
    expect(html).toContain('aria-live="polite"');
    expect(html).toContain('<label for="pow-progress">');
    expect(html).toContain(`data-bits="${BITS}"`);
    expect(html).not.toMatch(/src=|https?:\/\//);
    expect(upstream.seen.length).toBe(before);
  });

  it('gives a pass for a right answer and lets the client through with it', async () => {
    const challenge = challengeFrom((await fetchChallenge()).html);
    const res = await post({ challenge, nonce: solve(challenge, BITS), return: '/account?tab=orders' });
    expect(res.statusCode).toBe(303);
    expect(res.headers['location']).toBe('/account?tab=orders');
    const cookie = String(res.headers['set-cookie']).split(';')[0] as string;
    expect(cookie.startsWith(`${PASS_COOKIE}=`)).toBe(true);
    expect(String(res.headers['set-cookie'])).toContain('HttpOnly');

    const through = await request(`${gw.base}/account?tab=orders`, { headers: { cookie, 'user-agent': UA } });
    await through.body.text();
    expect(through.statusCode).toBe(200);
    expect(upstream.seen.at(-1)?.url).toBe('/account?tab=orders');

    const otherBrowser = await request(`${gw.base}/account`, { headers: { cookie, 'user-agent': 'curl/8' } });
    await otherBrowser.body.text();
    expect(otherBrowser.statusCode).toBe(403);
  });

  it('refuses a replayed answer, a wrong one and a forged challenge', async () => {
    const challenge = challengeFrom((await fetchChallenge()).html);
    const nonce = solve(challenge, BITS);
    expect((await post({ challenge, nonce })).statusCode).toBe(303);
    expect((await post({ challenge, nonce })).statusCode).toBe(403);

    const fresh = challengeFrom((await fetchChallenge()).html);
    let wrong = 0;
    while (
      leadingZeroBits(
        createHash('sha256')
          .update(fresh + wrong)
          .digest(),
      ) >= BITS
    )
      wrong++;
    expect((await post({ challenge: fresh, nonce: String(wrong) })).statusCode).toBe(403);

    const forged = `${fresh.split('.').slice(0, 3).join('.')}.AAAA`;
    expect((await post({ challenge: forged, nonce: solve(forged, BITS) })).statusCode).toBe(403);
    expect((await post({ challenge: 'garbage', nonce: 'x' })).statusCode).toBe(403);
  });

  it('refuses an expired pass', async () => {
    const challenge = challengeFrom((await fetchChallenge()).html);
    const res = await post({ challenge, nonce: solve(challenge, BITS) });
    const cookie = String(res.headers['set-cookie']).split(';')[0] as string;
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const later = await request(`${gw.base}/account`, { headers: { cookie, 'user-agent': UA } });
    await later.body.text();
    expect(later.statusCode).toBe(403);
  });

  it('gives scripts the challenge as JSON they can solve', async () => {
    const res = await request(`${gw.base}/api/products`, { headers: { 'user-agent': UA } });
    const body = (await res.body.json()) as {
      error: { code: string; details: { challenge: string; difficultyBits: number; solveAt: string } };
    };
    expect(res.statusCode).toBe(403);
    expect(body.error.code).toBe('challenge_required');
    expect(body.error.details.solveAt).toBe(CHALLENGE_PATH);
    const answer = await request(`${gw.base}${body.error.details.solveAt}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': UA },
      body: new URLSearchParams({
        challenge: body.error.details.challenge,
        nonce: solve(body.error.details.challenge, body.error.details.difficultyBits),
      }).toString(),
    });
    await answer.body.text();
    expect(answer.statusCode).toBe(303);
  });

  it('answers other methods on the challenge path with 405 and never proxies it', async () => {
    const before = upstream.seen.length;
    const res = await request(`${gw.base}${CHALLENGE_PATH}`);
    const body = (await res.body.json()) as { error: { code: string } };
    expect(res.statusCode).toBe(405);
    expect(body.error.code).toBe('method_not_allowed');
    expect(upstream.seen.length).toBe(before);
  });
});

describe('challenge tokens', () => {
  it('counts leading zero bits', () => {
    expect(leadingZeroBits(Uint8Array.from([0, 0, 0x0f]))).toBe(20);
    expect(leadingZeroBits(Uint8Array.from([0x80]))).toBe(0);
    expect(leadingZeroBits(Uint8Array.from([0, 0]))).toBe(16);
  });

  it('binds a challenge to the client that asked for it', () => {
    const tokens = new ChallengeTokens(Buffer.alloc(32, 1), { difficultyBits: 4, passTtlMs: 1_000 });
    const challenge = tokens.issueChallenge('198.51.100.1', UA, 0);
    const nonce = solve(challenge, 4);
    expect(tokens.checkSolution(challenge, nonce, '198.51.100.2', UA, 1)).toEqual({
      ok: false,
      reason: 'forged',
    });
    expect(tokens.checkSolution(challenge, nonce, '198.51.100.1', UA, 400_000)).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(tokens.checkSolution(challenge, nonce, '198.51.100.1', UA, 1)).toEqual({ ok: true });
  });

  it('never sends the client to another site after the challenge', () => {
    expect(safeReturnPath('//evil.example/x', 'GET')).toBe('/');
    expect(safeReturnPath('/\\evil.example', 'GET')).toBe('/');
    expect(safeReturnPath('https://evil.example/', 'GET')).toBe('/');
    expect(safeReturnPath(CHALLENGE_PATH, 'GET')).toBe('/');
    expect(safeReturnPath('/login?next=1', 'POST')).toBe('/login');
  });
});

describe('the challenge page script', () => {
  const html = challengePageHtml('Demo Shop', 'c1.1.abc.def', 8, '/account', 'req_1');
  const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
  const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
  const sha = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

  it('is allowed by the Content-Security-Policy hashes, and nothing else is', () => {
    expect(script.length).toBeGreaterThan(100);
    expect(CHALLENGE_CSP).toContain(`script-src ${sha(script)};`);
    expect(CHALLENGE_CSP).toContain(`style-src ${sha(style)};`);
    expect(CHALLENGE_CSP).toContain("default-src 'none'");
  });

  // No browser here (no Chromium on the machine): the page's own script runs against Node's
  // Web Crypto with the few DOM objects it touches, and must submit a valid answer.
  it('finds a valid nonce with Web Crypto and submits the form', async () => {
    let resolveSubmitted: (nonce: string) => void = () => undefined;
    const submitted = new Promise<string>((resolve) => (resolveSubmitted = resolve));
    const elements = { challenge: { value: 'c1.1.abc.def' }, nonce: { value: '' } };
    const form = { elements, dataset: { bits: '8' }, submit: () => resolveSubmitted(elements.nonce.value) };
    const status = { textContent: '' };
    const bar = { value: 0 };
    const button = { disabled: true };
    const byId: Record<string, unknown> = {
      pow: form,
      'pow-status': status,
      'pow-progress': bar,
      'pow-continue': button,
    };
    const document = { getElementById: (id: string) => byId[id] };
    runInNewContext(script, { document, window: { crypto: webcrypto }, crypto: webcrypto, TextEncoder });
    const nonce = await submitted;
    expect(
      leadingZeroBits(createHash('sha256').update(`c1.1.abc.def${nonce}`).digest()),
    ).toBeGreaterThanOrEqual(8);
    expect(status.textContent).toContain('Done');
    expect(bar.value).toBe(1);
    expect(button.disabled).toBe(false);
  });
});

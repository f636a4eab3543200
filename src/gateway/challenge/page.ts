/**
 * The proof-of-work challenge page (gateway enforcement). Its inline script (Web Crypto,
 * allowed by a CSP hash, nothing loaded from anywhere) finds a nonce such that
 * SHA-256(challenge || nonce) has the required leading zero bits, then submits the form;
 * the gateway answers with a pass cookie and a redirect back. The form works with the
 * keyboard, progress is a labelled <progress> plus a polite live region, and <noscript>
 * says plainly what to do without JavaScript.
 */
import { createHash } from 'node:crypto';
import { escapeHtml, PAGE_STYLE_HASH, renderPage } from '../modes/page.js';

export const CHALLENGE_PATH = '/.ensuresec/challenge';

const SOLVER = `(async () => {
  const form = document.getElementById('pow');
  const status = document.getElementById('pow-status');
  const bar = document.getElementById('pow-progress');
  const button = document.getElementById('pow-continue');
  if (!window.crypto || !crypto.subtle) {
    status.textContent = 'Your browser cannot run this check on this connection. Please open the shop over https.';
    return;
  }
  const challenge = form.elements.challenge.value;
  const bits = Number(form.dataset.bits);
  const expected = Math.pow(2, bits);
  const encoder = new TextEncoder();
  const zeros = (digest) => {
    let count = 0;
    for (const byte of digest) {
      if (byte === 0) { count += 8; continue; }
      return count + Math.clz32(byte) - 24;
    }
    return count;
  };
  status.textContent = 'Checking your browser. This takes a few seconds.';
  let announcedHalf = false;
  for (let nonce = 0; ; nonce++) {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(challenge + nonce)));
    if (zeros(digest) >= bits) {
      form.elements.nonce.value = String(nonce);
      bar.value = 1;
      status.textContent = 'Done. Taking you back to the shop.';
      button.disabled = false;
      form.submit();
      return;
    }
    if (nonce % 512 === 0) {
      bar.value = Math.min(0.95, nonce / expected);
      if (!announcedHalf && nonce > expected / 2) {
        announcedHalf = true;
        status.textContent = 'Still checking, almost there.';
      }
    }
  }
})();`;

const SOLVER_HASH = `'sha256-${createHash('sha256').update(SOLVER).digest('base64')}'`;

/** The Content-Security-Policy of the page: only its own script and style, posting only to itself. */
export const CHALLENGE_CSP =
  `default-src 'none'; script-src ${SOLVER_HASH}; style-src ${PAGE_STYLE_HASH}; ` +
  "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export function challengePageHtml(
  brand: string,
  challenge: string,
  difficultyBits: number,
  returnTo: string,
  requestId: string,
): string {
  const bodyHtml =
    '<p>Before you continue, your browser solves a small puzzle. It proves you are not an automated ' +
    'attack, takes a few seconds and sends no data to anyone but this shop.</p>' +
    `<form id="pow" method="post" action="${CHALLENGE_PATH}" data-bits="${difficultyBits}">` +
    `<input type="hidden" name="challenge" value="${escapeHtml(challenge)}">` +
    '<input type="hidden" name="nonce" value="">' +
    `<input type="hidden" name="return" value="${escapeHtml(returnTo)}">` +
    '<label for="pow-progress">Progress of the check</label> ' +
    '<progress id="pow-progress" max="1" value="0"></progress>' +
    '<p id="pow-status" role="status" aria-live="polite">Waiting to start.</p>' +
    '<button id="pow-continue" type="submit" disabled>Continue to the shop</button>' +
    '</form>' +
    '<noscript><p><strong>This check needs JavaScript.</strong> Please turn JavaScript on for this ' +
    'site and reload the page. If you cannot, contact the shop by phone or email; ' +
    'we are sorry for the trouble.</p></noscript>' +
    `<script>${SOLVER}</script>`;
  return renderPage({ brand, title: 'One moment, please', bodyHtml, requestId });
}

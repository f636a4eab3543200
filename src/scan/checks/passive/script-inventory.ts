/**
 * The script inventory of checkout and payment pages (PCI DSS v4 requirement 6.4.3
 * evidence): every script, inline or external, with its SHA-384 hash, whether it is
 * third-party and whether it carries Subresource Integrity. A third-party script without
 * SRI on a payment page is a finding; one whose SRI does not match its content too.
 * Out-of-scope hosts are not fetched (add them with --host to hash their scripts).
 */
import { createHash } from 'node:crypto';
import { evidenceOf } from '../../findings/evidence.js';
import type { Check } from '../check.js';

export const PAYMENT_PAGE = /checkout|payment|pay\b|\/pay|billing|cart|basket/i;
/** Pages where card data is entered: the inventory is only complete once one of these was seen. */
const CARD_PAGE = /checkout|payment|\/pay\b|billing/i;

export interface ScriptInventoryEntry {
  page: string;
  src: string | null;
  thirdParty: boolean;
  integrity: string | null;
  /** `sha384-<base64>` of the script's bytes, null when it could not be fetched. */
  sha384: string | null;
  note?: string;
}

export function sha384Of(text: string | Buffer): string {
  return `sha384-${createHash('sha384').update(text).digest('base64')}`;
}

export const scriptInventoryCheck: Check = {
  id: 'script-inventory',
  kind: 'passive',
  attackClass: 'client-side-script-integrity',
  title: 'Script inventory and Subresource Integrity on payment pages (PCI DSS 6.4.3)',
  async run(context) {
    const origin = context.target.origin;
    const pages = context.site.pages.filter(
      (p) => p.html && p.response.status === 200 && PAYMENT_PAGE.test(new URL(p.url).pathname),
    );
    if (pages.length === 0) {
      return {
        status: 'not-tested',
        tested: 0,
        reason: 'no checkout, cart or payment page was reachable (authenticated scanning comes later)',
      };
    }
    const inventory: ScriptInventoryEntry[] = [];
    for (const page of pages) {
      for (const script of page.html?.scripts ?? []) {
        if (script.src === null) {
          inventory.push({
            page: page.url,
            src: null,
            thirdParty: false,
            integrity: null,
            sha384: sha384Of(script.text),
          });
          continue;
        }
        const thirdParty = new URL(script.src).origin !== origin;
        const entry: ScriptInventoryEntry = {
          page: page.url,
          src: script.src,
          thirdParty,
          integrity: script.integrity,
          sha384: null,
        };
        const res = await context.http.send({ url: script.src });
        if (res.ok && res.status === 200 && !res.truncated) entry.sha384 = sha384Of(res.body);
        else
          entry.note = res.ok
            ? `not hashed: HTTP ${res.status}${res.truncated ? ', truncated' : ''}`
            : `not hashed: ${res.detail}`;
        inventory.push(entry);
        if (thirdParty && !script.integrity) {
          context.report({
            checkId: 'script-inventory',
            attackClass: 'client-side-script-integrity',
            title: `Third-party script without Subresource Integrity on a payment page`,
            cvssVector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:L/A:N',
            cwe: 'CWE-353',
            url: page.url,
            parameter: script.src,
            detailKey: script.src,
            description: `${script.src} runs on ${page.url} without an integrity attribute: if its host is compromised (a Magecart-style skimmer), card data can be stolen. PCI DSS 6.4.3 asks for an inventory and integrity of every payment-page script.`,
            evidence: evidenceOf(
              page.response,
              `<script src="${script.src}"> without integrity${entry.sha384 ? `; current content ${entry.sha384}` : ''}`,
              script.src,
            ),
            reproduce: `curl -s ${page.url} | grep -i '<script'`,
            remediation: `Pin the script: <script src="${script.src}" integrity="${entry.sha384 ?? 'sha384-…'}" crossorigin="anonymous">, or self-host it; keep this inventory with a justification per script.`,
            data: { sha384: entry.sha384 },
          });
        } else if (
          script.integrity &&
          entry.sha384 &&
          !script.integrity.split(/\s+/).includes(entry.sha384) &&
          script.integrity.includes('sha384-')
        ) {
          context.report({
            checkId: 'script-inventory',
            attackClass: 'client-side-script-integrity',
            title: 'Script content does not match its Subresource Integrity hash',
            cvssVector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:N/I:N/A:L',
            cwe: 'CWE-353',
            url: page.url,
            parameter: script.src,
            detailKey: `mismatch ${script.src}`,
            description: `The browser refuses ${script.src} (integrity ${script.integrity}, content ${entry.sha384}): either the script changed unexpectedly or the hash is stale.`,
            evidence: evidenceOf(
              page.response,
              `integrity ${script.integrity} ≠ content ${entry.sha384}`,
              script.src,
            ),
            reproduce: `curl -s ${script.src} | openssl dgst -sha384 -binary | openssl base64 -A`,
            remediation:
              'Find out why the script changed; update the hash only once the new content is reviewed.',
          });
        }
      }
    }
    context.record('scriptInventory', inventory);
    if (!pages.some((p) => CARD_PAGE.test(new URL(p.url).pathname))) {
      return {
        status: 'partial',
        tested: pages.length,
        reason:
          'only cart pages were reachable, no checkout or payment page (authenticated scanning comes later)',
      };
    }
    return { status: 'tested', tested: pages.length };
  },
};

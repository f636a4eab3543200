/**
 * Mixed content (passive, https targets only): every crawled https HTML page is parsed as a
 * browser parses it (parse5) and each sub-resource whose URL resolves to plain http:// is
 * reported once per page and URL. Active mixed content (script, stylesheet, iframe/frame,
 * object, embed) lets a network attacker run code in the page where a browser loads it (modern
 * browsers block it, breaking the page; old ones and some web views do not); a form or a
 * button whose action is http:// sends what the customer typed in clear text (browsers warn,
 * then submit). Passive mixed content (img, audio, video, source, track) is low, and info when
 * the page's CSP has `upgrade-insecure-requests` or `block-all-mixed-content`. Relative and
 * protocol-relative URLs resolve to https on an https page (unless a `<base>` says http).
 * Not seen: resources that scripts load at run time, and `url()` in stylesheets.
 */
import { parse, type DefaultTreeAdapterMap } from 'parse5';
import { evidenceOf } from '../../findings/evidence.js';
import { attr, resolve, walk } from '../../crawl/html.js';
import { successfulHtmlPages, type Check } from '../check.js';
import { parseCsp } from './csp.js';

type Element = DefaultTreeAdapterMap['element'];

export type MixedKind = 'active' | 'form' | 'passive';

export interface MixedResource {
  kind: MixedKind;
  tag: string;
  attribute: string;
  /** The absolute http:// URL. */
  url: string;
  /** The start tag as written (attributes in source order), for the evidence. */
  element: string;
}

export interface MixedContentResult {
  resources: MixedResource[];
  /** The CSP directive (header or meta) that upgrades or blocks passive mixed content, if any. */
  upgradedBy: 'upgrade-insecure-requests' | 'block-all-mixed-content' | null;
}

/** Tag → URL attributes, and whether a browser treats the load as active or passive. */
const RESOURCE_ATTRIBUTES: Record<string, { attributes: string[]; kind: MixedKind }> = {
  script: { attributes: ['src'], kind: 'active' },
  iframe: { attributes: ['src'], kind: 'active' },
  frame: { attributes: ['src'], kind: 'active' },
  object: { attributes: ['data'], kind: 'active' },
  embed: { attributes: ['src'], kind: 'active' },
  form: { attributes: ['action'], kind: 'form' },
  button: { attributes: ['formaction'], kind: 'form' },
  input: { attributes: ['formaction'], kind: 'form' },
  img: { attributes: ['src', 'srcset'], kind: 'passive' },
  audio: { attributes: ['src'], kind: 'passive' },
  video: { attributes: ['src', 'poster'], kind: 'passive' },
  source: { attributes: ['src', 'srcset'], kind: 'passive' },
  track: { attributes: ['src'], kind: 'passive' },
};

/** The http:// sub-resources of one https page, deduplicated on (tag, attribute kind, URL). */
export function mixedContentOf(html: string, pageUrl: string, cspHeader?: string): MixedContentResult {
  const elements = [...walk(parse(html))];
  const baseElement = elements.find((el) => el.tagName === 'base' && attr(el, 'href') !== null);
  const base = (baseElement && resolve(attr(baseElement, 'href'), pageUrl)) ?? pageUrl;
  const policies = cspHeader ? [cspHeader] : [];
  const resources: MixedResource[] = [];
  const seen = new Set<string>();
  const add = (el: Element, attribute: string, kind: MixedKind, raw: string) => {
    const url = resolve(raw, base);
    if (url === null || !url.startsWith('http:')) return;
    const key = `${kind} ${el.tagName} ${url}`;
    if (seen.has(key)) return;
    seen.add(key);
    resources.push({ kind, tag: el.tagName, attribute, url, element: startTag(el) });
  };
  for (const el of elements) {
    if (el.tagName === 'meta' && attr(el, 'http-equiv')?.toLowerCase() === 'content-security-policy') {
      const content = attr(el, 'content');
      if (content) policies.push(content);
      continue;
    }
    if (el.tagName === 'link') {
      const rel = (attr(el, 'rel') ?? '').toLowerCase().split(/\s+/);
      const href = attr(el, 'href');
      if (rel.includes('stylesheet') && href !== null) add(el, 'href', 'active', href);
      continue;
    }
    const spec = RESOURCE_ATTRIBUTES[el.tagName];
    if (!spec) continue;
    for (const attribute of spec.attributes) {
      const value = attr(el, attribute);
      if (value === null) continue;
      if (attribute === 'srcset') {
        for (const candidate of srcsetUrls(value)) add(el, attribute, spec.kind, candidate);
      } else if (value.trim() !== '') {
        add(el, attribute, spec.kind, value);
      }
    }
  }
  let upgradedBy: MixedContentResult['upgradedBy'] = null;
  for (const policy of policies) {
    const csp = parseCsp(policy);
    if (csp.has('upgrade-insecure-requests')) upgradedBy = 'upgrade-insecure-requests';
    else if (csp.has('block-all-mixed-content') && upgradedBy === null)
      upgradedBy = 'block-all-mixed-content';
  }
  return { resources, upgradedBy };
}

/** The URLs of a srcset: comma-separated candidates, each a URL and an optional descriptor. */
function srcsetUrls(srcset: string): string[] {
  return srcset
    .split(/,(?=\s|[a-z]+:|\/)/i)
    .map((candidate) => candidate.trim().split(/\s+/)[0] ?? '')
    .filter((url) => url !== '');
}

function startTag(el: Element): string {
  const attrs = el.attrs.map((a) => ` ${a.name}="${a.value.replace(/"/g, '&quot;')}"`).join('');
  const tag = `<${el.tagName}${attrs}>`;
  return tag.length <= 300 ? tag : `${tag.slice(0, 299)}…`;
}

/** A script or stylesheet from the network attacker runs in the page (where it loads at all). */
const ACTIVE = 'CVSS:3.1/AV:A/AC:H/PR:N/UI:R/S:U/C:L/I:H/A:N';
/** What the customer typed (password, address, card) crosses the network in clear, and can be changed. */
const FORM = 'CVSS:3.1/AV:A/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:N';
/** An image or a video can be seen and swapped by the network (browsers now upgrade most of it). */
const PASSIVE = 'CVSS:3.1/AV:A/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N';
/** Passive mixed content the page's CSP upgrades or blocks (scored 0.0). */
const UPGRADED = 'CVSS:3.1/AV:A/AC:H/PR:N/UI:R/S:U/C:N/I:N/A:N';

function describe(resource: MixedResource, pageUrl: string, upgradedBy: string | null): string {
  const what = `${pageUrl} loads ${resource.url} over plain http (<${resource.tag} ${resource.attribute}>)`;
  switch (resource.kind) {
    case 'active':
      return `${what}: active mixed content. A network attacker who answers that request runs code in (or restyles) the https page; modern browsers block it, which breaks the page, while older browsers and some in-app web views load it.`;
    case 'form':
      return `${pageUrl} has a form that submits to ${resource.url} over plain http: what the customer types (password, address, card details) crosses the network in clear text and can be changed on the way; browsers warn, then send it.`;
    case 'passive':
      return upgradedBy
        ? `${what}: passive mixed content, lowered to info because the page's Content-Security-Policy has ${upgradedBy} (the browser ${upgradedBy === 'upgrade-insecure-requests' ? 'requests it over https instead' : 'does not load it'}).`
        : `${what}: passive mixed content. A network attacker can see which image or media the customer views and replace it; browsers upgrade most of it to https or show the page as not fully secure.`;
  }
}

export const mixedContentCheck: Check = {
  id: 'mixed-content',
  kind: 'passive',
  attackClass: 'transport-security',
  title: 'Mixed content: http:// sub-resources and form actions on https pages',
  async run(context) {
    if (context.target.protocol !== 'https:') {
      const reason = 'the target is served over plain http, so it has no https page to mix content into';
      context.notChecked('mixed content', reason);
      return { status: 'not-tested', tested: 0, reason };
    }
    const pages = successfulHtmlPages(context.site).filter((p) => new URL(p.url).protocol === 'https:');
    if (pages.length === 0) {
      return { status: 'not-tested', tested: 0, reason: 'no HTML page was fetched over https' };
    }
    let truncated = 0;
    for (const page of pages) {
      if (page.response.truncated) {
        truncated++;
        context.notChecked(
          `mixed content past the size limit of ${page.url}`,
          'the page was cut at the response size limit',
        );
      }
      const { resources, upgradedBy } = mixedContentOf(
        page.response.body,
        page.url,
        page.response.headers['content-security-policy'],
      );
      for (const resource of resources) {
        const lowered = resource.kind === 'passive' && upgradedBy !== null;
        context.report({
          checkId: 'mixed-content',
          attackClass: 'transport-security',
          title:
            resource.kind === 'form'
              ? 'A form on an https page submits over plain http'
              : `${resource.kind === 'active' ? 'Active' : 'Passive'} mixed content: <${resource.tag}> loaded over http`,
          cvssVector:
            resource.kind === 'active'
              ? ACTIVE
              : resource.kind === 'form'
                ? FORM
                : lowered
                  ? UPGRADED
                  : PASSIVE,
          cwe: 'CWE-319',
          url: page.url,
          parameter: resource.url,
          detailKey: `${resource.kind} ${resource.tag}`,
          description: describe(resource, page.url, upgradedBy),
          evidence: evidenceOf(page.response, resource.element, resource.url),
          reproduce: `curl -s ${page.url} | grep -io '<${resource.tag}[^>]*http://[^>]*>'`,
          remediation:
            resource.kind === 'form'
              ? `Make the form submit to https (${resource.url.replace(/^http:/, 'https:')}) or to a relative URL, and serve that endpoint over https only.`
              : `Load it over https: ${resource.url.replace(/^http:/, 'https:')} (or protocol-relative //${resource.url.slice('http://'.length)}, or self-host it); add \`Content-Security-Policy: upgrade-insecure-requests\` as a safety net.`,
          data: { kind: resource.kind, tag: resource.tag, resource: resource.url, upgradedBy },
        });
      }
    }
    if (truncated > 0) {
      return {
        status: 'partial',
        tested: pages.length,
        reason: `${truncated} page(s) were cut at the response size limit`,
      };
    }
    return { status: 'tested', tested: pages.length };
  },
};

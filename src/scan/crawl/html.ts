/**
 * Reads an HTML page the way a browser's parser does (parse5, the WHATWG algorithm): its
 * links, forms with their fields, and scripts with their Subresource Integrity attributes.
 * Malformed markup and binary junk never throw; they parse to whatever a browser would see.
 *
 * @example parseHtmlPage('<a href="/cart">cart</a>', 'http://shop.test/').links // ['http://shop.test/cart']
 */
import { parse, type DefaultTreeAdapterMap } from 'parse5';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

export interface FormField {
  name: string;
  type: string;
  value: string;
}

export interface PageForm {
  /** Absolute URL the form submits to. */
  action: string;
  method: 'GET' | 'POST';
  fields: FormField[];
}

export interface PageScript {
  /** Absolute URL, or null for an inline script. */
  src: string | null;
  integrity: string | null;
  crossorigin: string | null;
  /** Inline scripts: their text (for hashing). */
  text: string;
}

export interface HtmlPage {
  links: string[];
  forms: PageForm[];
  scripts: PageScript[];
}

const LINK_ATTRIBUTES: Record<string, string> = { a: 'href', area: 'href', iframe: 'src', frame: 'src' };

export function parseHtmlPage(html: string, pageUrl: string): HtmlPage {
  const document = parse(html);
  const elements = [...walk(document)];
  const baseHref = elements.find((el) => el.tagName === 'base' && attr(el, 'href'));
  const base = resolve(baseHref ? (attr(baseHref, 'href') ?? '') : '', pageUrl) ?? pageUrl;
  const links = new Set<string>();
  const forms: PageForm[] = [];
  const scripts: PageScript[] = [];
  for (const el of elements) {
    const linkAttribute = LINK_ATTRIBUTES[el.tagName];
    if (linkAttribute) {
      const href = resolve(attr(el, linkAttribute), base);
      if (href) links.add(href);
    } else if (el.tagName === 'form') {
      forms.push(formOf(el, base, pageUrl));
    } else if (el.tagName === 'script') {
      const src = attr(el, 'src');
      scripts.push({
        src: src === null ? null : resolve(src, base),
        integrity: attr(el, 'integrity'),
        crossorigin: attr(el, 'crossorigin'),
        text: src === null ? textOf(el) : '',
      });
    }
  }
  return { links: [...links], forms, scripts };
}

function formOf(form: Element, base: string, pageUrl: string): PageForm {
  const action = attr(form, 'action');
  const method = (attr(form, 'method') ?? 'get').toUpperCase() === 'POST' ? 'POST' : 'GET';
  const fields: FormField[] = [];
  for (const el of walk(form)) {
    const name = attr(el, 'name');
    if (!name) continue;
    if (el.tagName === 'input') {
      const type = (attr(el, 'type') ?? 'text').toLowerCase();
      if (type === 'submit' || type === 'button' || type === 'image' || type === 'reset') continue;
      fields.push({ name, type, value: attr(el, 'value') ?? '' });
    } else if (el.tagName === 'textarea') {
      fields.push({ name, type: 'textarea', value: textOf(el) });
    } else if (el.tagName === 'select') {
      const option = [...walk(el)].find((o) => o.tagName === 'option');
      fields.push({ name, type: 'select', value: option ? (attr(option, 'value') ?? textOf(option)) : '' });
    }
  }
  // An empty or missing action submits to the page itself (HTML §4.10.21.3).
  const target = action ? resolve(action, base) : pageUrl;
  return { action: target ?? pageUrl, method, fields };
}

/** Every element below `node`, in document order. */
export function* walk(node: Node): Generator<Element> {
  if ('childNodes' in node) {
    for (const child of node.childNodes) {
      if ('tagName' in child) yield child;
      yield* walk(child);
    }
  }
}

/** An attribute's value, or null when the element has none. */
export function attr(el: Element, name: string): string | null {
  return el.attrs.find((a) => a.name === name)?.value ?? null;
}

function textOf(el: Element): string {
  let text = '';
  for (const child of el.childNodes) if (child.nodeName === '#text' && 'value' in child) text += child.value;
  return text;
}

/** Absolute http(s) URL without its fragment, or null for javascript:, mailto: and junk. */
export function resolve(href: string | null, base: string): string | null {
  if (href === null) return null;
  try {
    const url = new URL(href.trim(), base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    url.hash = '';
    return url.href;
  } catch {
    return null;
  }
}

/**
 * Filling notice wording (response / notices, no I/O): placeholders `{name}` get values that
 * are HTML-escaped in the HTML part and stripped of control characters everywhere, so a
 * customer's name or a partner's fact can neither inject markup nor split a mail header.
 *
 * @example fill('Hello {name},', { name: '<b>Ann</b>' }, 'html') // 'Hello &lt;b&gt;Ann&lt;/b&gt;,'
 */

export type TextFormat = 'text' | 'html';

/** A notice as the email channel sends it: a plain-text and an HTML part. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Control characters (CR and LF among them) become spaces: values are one line each. */
export function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

export function fill(template: string, values: Record<string, string>, format: TextFormat): string {
  return template.replace(/\{([a-z]+)\}/g, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) return whole;
    const clean = oneLine(value);
    return format === 'html' ? escapeHtml(clean) : clean;
  });
}

/** A minimal, inline-styled HTML document: mail clients ignore style sheets and scripts. */
export function htmlDocument(lang: string, title: string, body: string): string {
  return [
    '<!DOCTYPE html>',
    `<html lang="${escapeHtml(lang)}">`,
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    `<title>${title}</title></head>`,
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a;max-width:40em;margin:0 auto;padding:1em">',
    body,
    '</body></html>',
  ].join('\n');
}

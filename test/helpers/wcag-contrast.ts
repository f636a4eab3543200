/**
 * WCAG 2.2 contrast check for browser tests (tests only): a script evaluated in the page that
 * walks every visible element with its own text, takes its computed colour and the first opaque
 * background behind it, and returns those below 4.5:1 (3:1 for large text: ≥ 24 px, or ≥ 18.66 px
 * bold). A string, so the page runs exactly this code and nothing the test bundler adds.
 *
 * @example const failures = (await page.evaluate(CONTRAST_FAILURES)) as ContrastFailure[];
 */
export interface ContrastFailure {
  text: string;
  ratio: number;
  required: number;
  color: string;
  background: string;
}

export const CONTRAST_FAILURES = `(() => {
  const parse = (value) => {
    const m = value.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const parts = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return { r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1 };
  };
  const channel = (c) => { const s = c / 255; return s <= 0.04045 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4); };
  const luminance = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const backgroundOf = (element) => {
    for (let node = element; node; node = node.parentElement) {
      const bg = parse(getComputedStyle(node).backgroundColor);
      if (bg && bg.a >= 0.99) return bg;
    }
    return parse(getComputedStyle(document.documentElement).backgroundColor) || { r: 255, g: 255, b: 255, a: 1 };
  };
  const failures = [];
  for (const element of document.body.querySelectorAll('*')) {
    const own = [...element.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== '');
    if (!own) continue;
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    if (style.visibility === 'hidden' || style.display === 'none' || box.width === 0 || box.height === 0) continue;
    if (element.closest('[aria-hidden="true"], .skip, canvas')) continue;
    const fg = parse(style.color);
    if (!fg) continue;
    const bg = backgroundOf(element);
    // A translucent text colour (disabled controls) is blended over its background.
    const blended = { r: fg.r * fg.a + bg.r * (1 - fg.a), g: fg.g * fg.a + bg.g * (1 - fg.a), b: fg.b * fg.a + bg.b * (1 - fg.a) };
    const [hi, lo] = [luminance(blended), luminance(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const required = large ? 3 : 4.5;
    if (ratio < required - 0.01) {
      failures.push({ text: element.textContent.trim().slice(0, 60), ratio: Math.round(ratio * 100) / 100, required, color: style.color, background: 'rgb(' + bg.r + ',' + bg.g + ',' + bg.b + ')' });
    }
  }
  return failures;
})()`;

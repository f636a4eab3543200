/**
 * A report as PDF (incidents, no I/O): the same content as the Markdown, laid out on A4 pages
 * with the standard Helvetica and Courier fonts (nothing to embed), wrapped and paginated,
 * every page footed with the incident, the version (or DRAFT) and the page number. Drawn with
 * pdf-lib (pure JavaScript) and saved with a classic cross-reference table, so any reader opens it.
 * Characters the standard fonts cannot show (outside Windows-1252) are printed as `?`.
 *
 * @example const bytes = await renderPdf(report, frozenStatusOf(report)); // Uint8Array starting with %PDF-
 */
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { headerLines, titleOf, valueText, type FrozenStatus, type ReportContent } from './markdown.js';

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 56;
const FOOTER = 36;

interface Style {
  font: PDFFont;
  size: number;
  color?: [number, number, number];
  gapBefore?: number;
}

class Layout {
  #page: PDFPage | undefined;
  #y = 0;
  readonly pages: PDFPage[] = [];

  constructor(private readonly doc: PDFDocument) {}

  #newPage(): PDFPage {
    const page = this.doc.addPage(A4);
    this.pages.push(page);
    this.#page = page;
    this.#y = A4[1] - MARGIN;
    return page;
  }

  /** Writes text wrapped to the page width, breaking pages as needed. */
  write(text: string, style: Style): void {
    const width = A4[0] - 2 * MARGIN;
    const leading = style.size * 1.3;
    this.#y -= style.gapBefore ?? 0;
    for (const line of wrap(printable(text, style.font), style.font, style.size, width)) {
      const page = this.#page && this.#y - leading >= MARGIN + FOOTER ? this.#page : this.#newPage();
      this.#y -= leading;
      page.drawText(line, {
        x: MARGIN,
        y: this.#y,
        font: style.font,
        size: style.size,
        color: rgb(...(style.color ?? [0, 0, 0])),
      });
    }
  }
}

/** Replaces what the font cannot encode (WinAnsi) with `?`, and tabs with spaces. */
function printable(text: string, font: PDFFont): string {
  const supported = new Set(font.getCharacterSet());
  let out = '';
  for (const char of text.replaceAll('\t', '  ').replaceAll('\r', '')) {
    out += char === '\n' || supported.has(char.codePointAt(0) ?? -1) ? char : '?';
  }
  return out;
}

/** Greedy word wrap; a word longer than the line (a hash, a URL) is cut by characters. */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const fits = (candidate: string) => font.widthOfTextAtSize(candidate, size) <= width;
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    const indent = /^\s*/.exec(paragraph)?.[0] ?? '';
    let line = '';
    for (const word of paragraph.trimStart().split(' ')) {
      const candidate = line === '' ? indent + word : `${line} ${word}`;
      if (fits(candidate)) {
        line = candidate;
        continue;
      }
      if (line !== '') lines.push(line);
      let rest = line === '' ? candidate : indent + word;
      while (!fits(rest) && rest.length > 1) {
        let cut = rest.length - 1;
        while (cut > 1 && !fits(rest.slice(0, cut))) cut--;
        lines.push(rest.slice(0, cut));
        rest = indent + rest.slice(cut);
      }
      line = rest;
    }
    lines.push(line);
  }
  return lines;
}

/** Markdown code fences and emphasis stripped: the PDF shows the text itself. */
function plain(markdownText: string): string {
  return markdownText.replace(/^```(json)?\n/, '').replace(/\n```$/, '');
}

export async function renderPdf(report: ReportContent, frozen?: FrozenStatus): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const title = titleOf(report, frozen);
  const stamp = new Date(frozen?.frozenAt ?? report.generatedAt ?? 0);
  doc.setTitle(`${title}: ${report.incident.title}`);
  doc.setSubject(report.reference);
  doc.setAuthor(report.entity.name);
  doc.setCreator('Ensuresec');
  doc.setProducer('Ensuresec (pdf-lib)');
  doc.setCreationDate(stamp);
  doc.setModificationDate(stamp);

  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const italic = await doc.embedFont(StandardFonts.HelveticaOblique);
  const mono = await doc.embedFont(StandardFonts.Courier);
  const red: [number, number, number] = [0.7, 0, 0];
  const grey: [number, number, number] = [0.35, 0.35, 0.35];

  const layout = new Layout(doc);
  layout.write(title, { font: bold, size: 18 });
  layout.write(report.incident.title, { font: regular, size: 13, gapBefore: 4 });
  for (const line of headerLines(report, frozen))
    layout.write(line, { font: regular, size: 9.5, gapBefore: 2 });
  if (report.missing.length > 0) {
    layout.write(`Missing before sending: ${report.missing.join(', ')}.`, {
      font: bold,
      size: 10.5,
      color: red,
      gapBefore: 10,
    });
  }
  for (const field of report.fields) {
    layout.write(field.label, { font: bold, size: 12, gapBefore: 14 });
    const edited = field.override ? `; edited by ${field.override.by} at ${field.override.at}` : '';
    layout.write(`${field.reference}; ${field.requirement.replaceAll('_', ' ')}${edited}`, {
      font: italic,
      size: 8.5,
      color: grey,
      gapBefore: 2,
    });
    if (field.missing) {
      layout.write('MISSING', { font: bold, size: 10.5, color: red, gapBefore: 4 });
      continue;
    }
    const text = valueText(field.value);
    const structured = text.startsWith('```');
    layout.write(structured ? plain(text) : text.replaceAll('_(none)_', '(none)'), {
      font: structured ? mono : regular,
      size: structured ? 8.5 : 10.5,
      gapBefore: 4,
    });
  }
  if (frozen && frozen.indicators.length > 0) {
    layout.write('Indicators of compromise (attached as a STIX 2.1 bundle)', {
      font: bold,
      size: 12,
      gapBefore: 14,
    });
    for (const indicator of frozen.indicators)
      layout.write(`${indicator.type}: ${indicator.value}`, { font: mono, size: 8.5, gapBefore: 2 });
  }

  const footer = `${report.incident.id} · ${frozen ? `version ${frozen.version}` : 'DRAFT, not frozen'}`;
  layout.pages.forEach((page, index) => {
    const text = printable(`${footer} · page ${index + 1} of ${layout.pages.length}`, regular);
    page.drawText(text, { x: MARGIN, y: FOOTER - 12, font: regular, size: 8, color: rgb(...grey) });
  });
  // Without object streams the file has a classic xref table, which every reader (and our test) parses.
  return doc.save({ useObjectStreams: false });
}

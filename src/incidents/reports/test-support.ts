/**
 * Test helpers for the report suites (tests only): a PDF reader that fails on a broken file
 * (header, trailer, every cross-reference offset pointing at its object, then pdf-lib's strict
 * load) and pulls the shown text out of the content streams on its own; and the OASIS STIX 2.1
 * JSON schemas from ../shared (read by tests, never by the product).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { PDFDocument } from 'pdf-lib';

export interface ParsedPdf {
  pages: number;
  /** The strings shown by Tj operators, decoded from Windows-1252, in stream order. */
  text: string[];
  title: string | undefined;
}

/** Windows-1252 0x80-0x9F (Node's decoder maps them as Latin-1); the rest is Latin-1. */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

function decodeWinAnsi(bytes: Buffer): string {
  let out = '';
  for (const byte of bytes)
    out += byte >= 0x80 && byte <= 0x9f ? CP1252_HIGH[byte - 0x80] : String.fromCharCode(byte);
  return out;
}

/** Throws with a reason when the bytes are not a well-formed PDF with a classic xref table. */
export async function parsePdf(bytes: Uint8Array): Promise<ParsedPdf> {
  const raw = Buffer.from(bytes).toString('latin1');
  if (!raw.startsWith('%PDF-1.')) throw new Error('no %PDF-1.x header');
  if (!/%%EOF\s*$/.test(raw)) throw new Error('no %%EOF at the end');
  const startxref = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(raw);
  if (!startxref) throw new Error('no startxref');
  const xrefAt = Number(startxref[1]);
  if (raw.slice(xrefAt, xrefAt + 4) !== 'xref')
    throw new Error(`startxref ${xrefAt} does not point at the xref table`);
  const table = /^xref\s+(\d+) (\d+)\s+/.exec(raw.slice(xrefAt));
  if (!table) throw new Error('unreadable xref header');
  const first = Number(table[1]);
  const count = Number(table[2]);
  let cursor = xrefAt + table[0].length;
  for (let n = 0; n < count; n++) {
    const row = raw.slice(cursor, cursor + 20);
    cursor += 20;
    const match = /^(\d{10}) (\d{5}) ([nf])/.exec(row);
    if (!match) throw new Error(`xref row ${n} is malformed: ${JSON.stringify(row)}`);
    if (match[3] !== 'n') continue;
    const offset = Number(match[1]);
    const expected = `${first + n} ${Number(match[2])} obj`;
    if (raw.slice(offset, offset + expected.length) !== expected)
      throw new Error(`xref entry ${first + n} points at byte ${offset}, which is not "${expected}"`);
  }
  const doc = await PDFDocument.load(bytes, { throwOnInvalidObject: true, updateMetadata: false });
  const text: string[] = [];
  for (const stream of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    // The lazy match stops before an optional "\r" of the end-of-line marker, so a compressed
    // stream whose last byte happens to be 0x0D loses it: try again with it put back.
    const body = stream[1] as string;
    let content = body;
    for (const candidate of [body, `${body}\r`]) {
      try {
        content = inflateSync(Buffer.from(candidate, 'latin1')).toString('latin1');
        break;
      } catch {
        // not deflated as it is: try the next candidate, else read it uncompressed
      }
    }
    for (const shown of content.matchAll(/<([0-9A-Fa-f]*)>\s*Tj/g)) {
      text.push(decodeWinAnsi(Buffer.from(shown[1] as string, 'hex')));
    }
  }
  return { pages: doc.getPageCount(), text, title: doc.getTitle() };
}

const STIX_DIR = fileURLToPath(
  new URL('../../../../shared/reference/stix2.1-schemas/schemas/', import.meta.url),
);
const STIX_BASE = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/';
const STIX_SCHEMA_OF_TYPE: Record<string, string> = {
  identity: 'sdos/identity.json',
  indicator: 'sdos/indicator.json',
  'course-of-action': 'sdos/course-of-action.json',
  sighting: 'sros/sighting.json',
  relationship: 'sros/relationship.json',
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.json') ? [path] : [];
  });
}

let stixAjv: Ajv2020 | undefined;

/** Every problem of a STIX 2.1 bundle and of each object against its own OASIS schema; [] when valid. */
export function stixProblems(bundle: { objects: readonly { type: string; id: string }[] }): string[] {
  if (!stixAjv) {
    // The OASIS schemas use keywords strict mode rejects and `\-` in patterns (invalid under the `u` flag).
    stixAjv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false, unicodeRegExp: false });
    for (const file of files(STIX_DIR)) stixAjv.addSchema(JSON.parse(readFileSync(file, 'utf8')) as object);
  }
  const ajv = stixAjv;
  const check = (path: string, value: unknown): string[] => {
    const validate = ajv.getSchema(`${STIX_BASE}${path}`);
    if (!validate) return [`schema ${path} is not loaded`];
    return validate(value)
      ? []
      : (validate.errors ?? []).map((error) => `${path}${error.instancePath} ${error.message}`);
  };
  return [
    ...check('common/bundle.json', bundle),
    ...bundle.objects.flatMap((object) => {
      const schema = STIX_SCHEMA_OF_TYPE[object.type];
      return schema ? check(schema, object) : [`no schema for ${object.type}`];
    }),
  ];
}

/**
 * The requests of the WAF differential test (bench/waf-diff.ts): every line of libinjection's
 * public corpora (sqli-*.txt, xss-*.txt, false_positives.txt; URL-encoded "user input", decoded
 * to bytes as libinjection's own harness does) sent (a) as a query-string value, (b) as a
 * urlencoded form field and, for every Nth line whose bytes may travel in a header, (c) as a
 * cookie value and (d) as the User-Agent. Nobody on this project wrote these lines, and the CRS
 * regression suite (our tuning set) is deliberately not among them.
 */
import { corpusFiles, readCorpus } from '../src/gateway/waf/libinjection/testing/reference.js';
import { WORKLOADS } from './waf-load.js';

export type Family = 'sqli' | 'xss' | 'false_positives' | 'sqlmap';
export type Mode = 'query' | 'form' | 'cookie' | 'user-agent' | 'sqlmap-get' | 'sqlmap-post';

export interface DiffCase {
  family: Family;
  /** The corpus file (or `sqlmap`). */
  corpus: string;
  mode: Mode;
  /** The payload as bytes (latin1 string); for sqlmap, its whole query or body. */
  value: string;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** The browser-like headers of the WAF benchmark's workloads (Host: localhost, Firefox, Accept...). */
export const BROWSER_HEADERS: Record<string, string> = { ...(WORKLOADS[0]?.headers ?? {}) };
export const FORM_TYPE = 'application/x-www-form-urlencoded';

/** Percent-encodes bytes (a latin1 string): everything but RFC 3986 unreserved characters. */
export function encodeBytes(bytes: string, spaceAsPlus = false): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const char = bytes[i] as string;
    const code = bytes.charCodeAt(i);
    if (/[A-Za-z0-9\-_.~]/.test(char)) out += char;
    else if (code === 0x20 && spaceAsPlus) out += '+';
    else out += `%${(code & 0xff).toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Printable ASCII with no edge whitespace: what a header can carry unchanged. */
const headerSafe = (value: string): boolean => /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(value);

function casesOf(
  family: Family,
  corpus: string,
  value: string,
  index: number,
  headerEvery: number,
): DiffCase[] {
  const base = { family, corpus, value };
  const cases: DiffCase[] = [
    {
      ...base,
      mode: 'query',
      method: 'GET',
      path: `/search?q=${encodeBytes(value)}`,
      headers: BROWSER_HEADERS,
    },
    {
      ...base,
      mode: 'form',
      method: 'POST',
      path: '/search',
      headers: { ...BROWSER_HEADERS, 'Content-Type': FORM_TYPE },
      body: `q=${encodeBytes(value, true)}`,
    },
  ];
  if (index % headerEvery !== 0 || !headerSafe(value)) return cases;
  if (!value.includes(';'))
    cases.push({
      ...base,
      mode: 'cookie',
      method: 'GET',
      path: '/search',
      headers: { ...BROWSER_HEADERS, Cookie: `pref=${value}` },
    });
  cases.push({
    ...base,
    mode: 'user-agent',
    method: 'GET',
    path: '/search',
    headers: { ...BROWSER_HEADERS, 'User-Agent': value },
  });
  return cases;
}

export interface CorpusOptions {
  /** Header cases (cookie, User-Agent) for every Nth line of each file. */
  headerEvery: number;
  /** At most this many lines per file, evenly spaced (0 = all). */
  maxLinesPerFile: number;
}

/** Every case of every corpus file, with the number of lines read per file. */
export function corpusCases(options: CorpusOptions): {
  cases: DiffCase[];
  linesPerFile: Map<string, number>;
} {
  const files: Array<[Family, string]> = [
    ...corpusFiles('sqli-').map((f): [Family, string] => ['sqli', f]),
    ...corpusFiles('xss-').map((f): [Family, string] => ['xss', f]),
    ['false_positives', 'false_positives.txt'],
  ];
  const cases: DiffCase[] = [];
  const linesPerFile = new Map<string, number>();
  for (const [family, file] of files) {
    let lines = readCorpus(file);
    if (options.maxLinesPerFile > 0 && lines.length > options.maxLinesPerFile) {
      const step = lines.length / options.maxLinesPerFile;
      lines = Array.from(
        { length: options.maxLinesPerFile },
        (_, i) => lines[Math.floor(i * step)] as string,
      );
    }
    linesPerFile.set(file, lines.length);
    lines.forEach((value, index) => cases.push(...casesOf(family, file, value, index, options.headerEvery)));
  }
  return { cases, linesPerFile };
}

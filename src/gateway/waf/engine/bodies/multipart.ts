/**
 * MULTIPART request-body processor (gateway/waf/engine/bodies): splits multipart/form-data
 * into ARGS_POST (fields), FILES / FILES_NAMES (uploads) and MULTIPART_PART_HEADERS, and
 * raises ModSecurity's strict-validation flags (MULTIPART_BOUNDARY_QUOTED, _DATA_BEFORE,
 * _LF_LINE, _HEADER_FOLDING, _INVALID_QUOTING, ... and MULTIPART_STRICT_ERROR, their OR)
 * that CRS rule 920... and ModSecurity's recommended rules test.
 */
import type { BodyResult, UploadedFile } from './types.js';

const STRICT_FLAGS = [
  'MULTIPART_BOUNDARY_QUOTED',
  'MULTIPART_BOUNDARY_WHITESPACE',
  'MULTIPART_DATA_BEFORE',
  'MULTIPART_DATA_AFTER',
  'MULTIPART_HEADER_FOLDING',
  'MULTIPART_LF_LINE',
  'MULTIPART_MISSING_SEMICOLON',
  'MULTIPART_INVALID_QUOTING',
  'MULTIPART_INVALID_PART',
  'MULTIPART_INVALID_HEADER_FOLDING',
  'MULTIPART_FILE_LIMIT_EXCEEDED',
] as const;

const ALL_FLAGS = [...STRICT_FLAGS, 'MULTIPART_CRLF_LF_LINES', 'MULTIPART_UNMATCHED_BOUNDARY'];

export interface MultipartOptions {
  /** Files accepted before MULTIPART_FILE_LIMIT_EXCEEDED (ModSecurity's SecUploadFileLimit, 100). */
  maxFiles?: number;
}

/** The boundary of a Content-Type header, with the quoting/whitespace flags, or an error. */
function readBoundary(contentType: string, flags: Record<string, number>): string | { error: string } {
  const match = /;\s*boundary(\s*)=(\s*)(.*)$/i.exec(contentType);
  if (!match) return { error: 'Multipart: Boundary not found in C-T' };
  if ((match[1] ?? '') !== '' || (match[2] ?? '') !== '') flags.MULTIPART_BOUNDARY_WHITESPACE = 1;
  let boundary = (match[3] ?? '').split(';')[0] ?? '';
  if (boundary !== boundary.trimEnd()) flags.MULTIPART_BOUNDARY_WHITESPACE = 1;
  boundary = boundary.trimEnd();
  if (boundary.startsWith('"')) {
    flags.MULTIPART_BOUNDARY_QUOTED = 1;
    if (!boundary.endsWith('"') || boundary.length < 2)
      return { error: 'Multipart: Invalid boundary in C-T (quote)' };
    boundary = boundary.slice(1, -1);
  } else if (boundary.includes('"')) {
    return { error: 'Multipart: Invalid boundary in C-T (quote)' };
  }
  if (boundary === '' || !/^[\x21-\x7e ]+$/.test(boundary) || boundary.length > 70) {
    return { error: 'Multipart: Invalid boundary in C-T (characters)' };
  }
  return boundary;
}

/** Reads `form-data; name="a"; filename="b"` into its parameters, raising quoting flags. */
function readDisposition(value: string, flags: Record<string, number>): Map<string, string> | undefined {
  if (!/^\s*form-data\s*(;|$)/i.test(value)) return undefined;
  const params = new Map<string, string>();
  let rest = value.replace(/^\s*form-data\s*/i, '');
  while (rest.length > 0) {
    if (!rest.startsWith(';')) {
      flags.MULTIPART_MISSING_SEMICOLON = 1;
    } else rest = rest.slice(1);
    rest = rest.replace(/^\s+/, '');
    if (rest === '') break;
    const param = /^([A-Za-z*-]+)\s*=\s*/.exec(rest);
    if (!param) return undefined;
    rest = rest.slice(param[0].length);
    let paramValue: string;
    if (rest.startsWith('"')) {
      let index = 1;
      paramValue = '';
      while (index < rest.length && rest[index] !== '"') {
        if (rest[index] === '\\' && (rest[index + 1] === '"' || rest[index + 1] === '\\')) index++;
        paramValue += rest[index];
        index++;
      }
      if (index >= rest.length) return undefined;
      rest = rest.slice(index + 1).replace(/^\s+/, '');
    } else {
      const end = rest.search(/[;\s]/);
      paramValue = end === -1 ? rest : rest.slice(0, end);
      rest = end === -1 ? '' : rest.slice(end).replace(/^\s+/, '');
      if (paramValue.includes("'") || paramValue.includes('"')) flags.MULTIPART_INVALID_QUOTING = 1;
    }
    const name = (param[1] ?? '').toLowerCase();
    if (name !== 'name' && name !== 'filename' && name !== 'filename*') return undefined;
    if (params.has(name)) return undefined;
    params.set(name, paramValue);
  }
  return params;
}

export function processMultipart(
  body: string,
  contentType: string,
  options: MultipartOptions = {},
): BodyResult {
  const flags: Record<string, number> = Object.fromEntries(ALL_FLAGS.map((flag) => [flag, 0]));
  const result: BodyResult = { args: [], files: [], partHeaders: [], multipartFlags: flags };
  const finish = (error?: string): BodyResult => {
    if (error) result.error = error;
    flags.MULTIPART_STRICT_ERROR = STRICT_FLAGS.some((flag) => flags[flag] === 1) || error ? 1 : 0;
    return result;
  };
  const boundaryOrError = readBoundary(contentType, flags);
  if (typeof boundaryOrError !== 'string') return finish(boundaryOrError.error);
  const delimiter = `--${boundaryOrError}`;
  const maxFiles = options.maxFiles ?? 100;

  // Lines keep their terminator so CRLF and bare LF can be told apart.
  const lines = body.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  let crlf = 0;
  let lf = 0;
  let state: 'preamble' | 'headers' | 'data' | 'done' = 'preamble';
  let headers: Array<[string, string]> = [];
  let data: string[] = [];
  let previousLineEnd = '';
  const files: UploadedFile[] = result.files ?? [];
  const closePart = (): string | undefined => {
    const disposition = headers.find(([name]) => name.toLowerCase() === 'content-disposition');
    if (!disposition) return 'Multipart: Part missing Content-Disposition header';
    const params = readDisposition(disposition[1], flags);
    if (!params || !params.has('name')) {
      flags.MULTIPART_INVALID_PART = 1;
      return 'Multipart: Invalid Content-Disposition header';
    }
    const name = params.get('name') ?? '';
    for (const [headerName, headerValue] of headers)
      result.partHeaders?.push([name, `${headerName}: ${headerValue}`]);
    // The line end before a boundary belongs to the boundary, not to the part's data.
    const value = data.join('').slice(0, data.length > 0 ? -previousLineEnd.length || undefined : 0);
    const filename = params.get('filename') ?? params.get('filename*');
    if (filename !== undefined) {
      if (files.length >= maxFiles) flags.MULTIPART_FILE_LIMIT_EXCEEDED = 1;
      else files.push({ name, filename, sizeBytes: value.length });
    } else {
      result.args.push([name, value]);
    }
    return undefined;
  };
  for (const line of lines) {
    const ending = line.endsWith('\r\n') ? '\r\n' : line.endsWith('\n') ? '\n' : '';
    if (ending === '\r\n') crlf++;
    else if (ending === '\n') lf++;
    const content = line.slice(0, line.length - ending.length);
    if (state === 'done') {
      if (content.trim() !== '') flags.MULTIPART_DATA_AFTER = 1;
      continue;
    }
    if (content.startsWith(delimiter)) {
      const tail = content.slice(delimiter.length);
      const closing = tail.startsWith('--');
      if ((closing ? tail.slice(2) : tail).trim() === '') {
        if (state === 'headers') return finish('Multipart: Part headers not terminated');
        if (state === 'data') {
          const error = closePart();
          if (error) return finish(error);
        }
        state = closing ? 'done' : 'headers';
        headers = [];
        data = [];
        continue;
      }
      flags.MULTIPART_UNMATCHED_BOUNDARY = 1;
    }
    if (state === 'preamble') {
      if (content !== '') flags.MULTIPART_DATA_BEFORE = 1;
    } else if (state === 'headers') {
      if (content === '') {
        state = 'data';
      } else if (content.startsWith(' ') || content.startsWith('\t')) {
        const last = headers[headers.length - 1];
        if (!last) flags.MULTIPART_INVALID_HEADER_FOLDING = 1;
        else {
          flags.MULTIPART_HEADER_FOLDING = 1;
          last[1] += ` ${content.trim()}`;
        }
      } else {
        const colon = content.indexOf(':');
        if (colon <= 0) return finish('Multipart: Invalid part header (colon missing)');
        headers.push([content.slice(0, colon).trim(), content.slice(colon + 1).trim()]);
      }
    } else {
      data.push(line);
      previousLineEnd = ending;
    }
  }
  if (crlf > 0 && lf > 0) flags.MULTIPART_CRLF_LF_LINES = 1;
  if (lf > 0) flags.MULTIPART_LF_LINE = 1;
  if (state !== 'done') return finish('Multipart: Final boundary missing');
  return finish();
}

/**
 * What a request-body processor hands the transaction (gateway/waf/engine/bodies): arguments
 * for ARGS_POST, files, multipart flags, XML content, or the parse error that becomes
 * REQBODY_ERROR=1 and REQBODY_ERROR_MSG.
 */

export interface UploadedFile {
  /** The form field name (FILES_NAMES). */
  name: string;
  /** The client's file name (FILES). */
  filename: string;
  sizeBytes: number;
}

export interface BodyResult {
  args: Array<[string, string]>;
  /** Set when the body could not be parsed; the processor keeps what it read before. */
  error?: string;
  files?: UploadedFile[];
  /** MULTIPART_PART_HEADERS: [part name, header line]. */
  partHeaders?: Array<[string, string]>;
  /** MULTIPART_* flags, 0 or 1, by variable name. */
  multipartFlags?: Record<string, number>;
  /** XML: all text content (`XML:/*`) and attribute values (`XML://@*`). */
  xml?: { text: string; attributes: string[] };
}

/**
 * The SecLang vocabulary our engine accepts (gateway/waf/seclang): directives, variables and
 * collections, actions and ctl options. The loader rejects any name not listed here with a
 * WafLoadError (file:line), so a rule the engine cannot honour never loads silently.
 * Adding a name here is a promise that the engine implements it.
 *
 * Operator (`@rx`) and transformation (`t:lowercase`) names are checked by the engine against
 * its registries; CRS_OPERATORS and CRS_TRANSFORMATIONS list the ones CRS 4.28.0 needs.
 * Lists are alphabetical; lookups are case-insensitive and return the canonical spelling.
 */

/** Directives, in canonical spelling. */
export const DIRECTIVES = [
  'Include',
  'SecAction',
  'SecArgumentsLimit',
  'SecCollectionTimeout',
  'SecComponentSignature',
  'SecDefaultAction',
  'SecMarker',
  'SecRequestBodyAccess',
  'SecRequestBodyJsonDepthLimit',
  'SecRequestBodyLimit',
  'SecRequestBodyLimitAction',
  'SecRequestBodyNoFilesLimit',
  'SecResponseBodyAccess',
  'SecResponseBodyLimit',
  'SecResponseBodyLimitAction',
  'SecResponseBodyMimeType',
  'SecResponseBodyMimeTypesClear',
  'SecRule',
  'SecRuleEngine',
  'SecRuleRemoveById',
  'SecRuleRemoveByMsg',
  'SecRuleRemoveByTag',
  'SecRuleUpdateActionById',
  'SecRuleUpdateTargetById',
  'SecRuleUpdateTargetByMsg',
  'SecRuleUpdateTargetByTag',
  'SecUnicodeMapFile',
] as const;

/*
 * Variables: those CRS 4.28.0 uses, those the WAF issue lists, and the request-body error
 * flags ModSecurity's recommended base configuration tests (REQBODY_ERROR, MULTIPART_*).
 */

/** Variables that are collections: they take a `:key` or `:/regex/` selector and may be counted with `&`. */
export const COLLECTIONS = [
  'ARGS',
  'ARGS_GET',
  'ARGS_GET_NAMES',
  'ARGS_NAMES',
  'ARGS_POST',
  'FILES',
  'FILES_NAMES',
  'GLOBAL',
  'IP',
  'MATCHED_VARS',
  'MATCHED_VARS_NAMES',
  'MULTIPART_PART_HEADERS',
  'REQUEST_COOKIES',
  'REQUEST_COOKIES_NAMES',
  'REQUEST_HEADERS',
  'REQUEST_HEADERS_NAMES',
  'RESPONSE_HEADERS',
  'TX',
  /** The key is an XPath expression (`XML:/*`), never a regex. */
  'XML',
] as const;

/** Variables with a single value: no `:key`. */
export const SCALAR_VARIABLES = [
  'ARGS_COMBINED_SIZE',
  'FILES_COMBINED_SIZE',
  'MATCHED_VAR',
  'MATCHED_VAR_NAME',
  'MULTIPART_BOUNDARY_QUOTED',
  'MULTIPART_BOUNDARY_WHITESPACE',
  'MULTIPART_CRLF_LF_LINES',
  'MULTIPART_DATA_AFTER',
  'MULTIPART_DATA_BEFORE',
  'MULTIPART_FILE_LIMIT_EXCEEDED',
  'MULTIPART_FILENAME',
  'MULTIPART_HEADER_FOLDING',
  'MULTIPART_INVALID_HEADER_FOLDING',
  'MULTIPART_INVALID_PART',
  'MULTIPART_INVALID_QUOTING',
  'MULTIPART_LF_LINE',
  'MULTIPART_MISSING_SEMICOLON',
  'MULTIPART_NAME',
  'MULTIPART_STRICT_ERROR',
  'MULTIPART_UNMATCHED_BOUNDARY',
  'QUERY_STRING',
  'REMOTE_ADDR',
  'REQBODY_ERROR',
  'REQBODY_ERROR_MSG',
  'REQBODY_PROCESSOR',
  'REQUEST_BASENAME',
  'REQUEST_BODY',
  'REQUEST_BODY_LENGTH',
  'REQUEST_FILENAME',
  'REQUEST_LINE',
  'REQUEST_METHOD',
  'REQUEST_PROTOCOL',
  'REQUEST_URI',
  'REQUEST_URI_RAW',
  'RESPONSE_BODY',
  'RESPONSE_STATUS',
  'UNIQUE_ID',
] as const;

/** Names that only appear in macros (`%{rule.id}`), never as rule targets. */
export const MACRO_ONLY_NAMES = ['RULE'] as const;

/** Collections that `setvar` may write and `initcol` may open. */
export const WRITABLE_COLLECTIONS = ['GLOBAL', 'IP', 'TX'] as const;
export const PERSISTENT_COLLECTIONS = ['GLOBAL', 'IP'] as const;

export type ActionParam = 'none' | 'required' | 'optional';

/**
 * Actions and whether they take an argument after `:`: those CRS 4.28.0 and the WAF issue
 * use, plus the metadata-only accuracy, maturity and rev that older rule sets carry.
 */
export const ACTIONS: Readonly<Record<string, ActionParam>> = {
  accuracy: 'required',
  allow: 'optional',
  auditlog: 'none',
  block: 'none',
  capture: 'none',
  chain: 'none',
  ctl: 'required',
  deny: 'none',
  drop: 'none',
  id: 'required',
  initcol: 'required',
  log: 'none',
  logdata: 'required',
  maturity: 'required',
  msg: 'required',
  multiMatch: 'none',
  noauditlog: 'none',
  nolog: 'none',
  pass: 'none',
  phase: 'required',
  redirect: 'required',
  rev: 'required',
  setvar: 'required',
  severity: 'required',
  skip: 'required',
  skipAfter: 'required',
  status: 'required',
  t: 'required',
  tag: 'required',
  ver: 'required',
};

/** `ctl:` options (ModSecurity v3's set) with the values each accepts (null: free-form, checked by the parser). */
export const CTL_OPTIONS: Readonly<Record<string, readonly string[] | null>> = {
  auditEngine: ['On', 'Off', 'RelevantOnly'],
  auditLogParts: null,
  forceRequestBodyVariable: ['On', 'Off'],
  requestBodyAccess: ['On', 'Off'],
  requestBodyProcessor: ['JSON', 'MULTIPART', 'URLENCODED', 'XML'],
  ruleEngine: ['On', 'Off', 'DetectionOnly'],
  ruleRemoveById: null,
  ruleRemoveByTag: null,
  ruleRemoveTargetById: null,
  ruleRemoveTargetByTag: null,
};

/** The operators CRS 4.28.0 uses (names without `@`): the engine's registry must have them all. */
export const CRS_OPERATORS = [
  'beginsWith',
  'contains',
  'detectSQLi',
  'detectXSS',
  'endsWith',
  'eq',
  'ge',
  'gt',
  'ipMatch',
  'lt',
  'pm',
  'pmFromFile',
  'rx',
  'streq',
  'unconditionalMatch',
  'validateByteRange',
  'validateUrlEncoding',
  'validateUtf8Encoding',
  'within',
] as const;

/** The transformations CRS 4.28.0 uses (names after `t:`). */
export const CRS_TRANSFORMATIONS = [
  'base64Decode',
  'cmdLine',
  'compressWhitespace',
  'cssDecode',
  'escapeSeqDecode',
  'hexEncode',
  'htmlEntityDecode',
  'jsDecode',
  'length',
  'lowercase',
  'none',
  'normalizePath',
  'normalizePathWin',
  'removeCommentsChar',
  'removeNulls',
  'removeWhitespace',
  'replaceComments',
  'sha1',
  'urlDecodeUni',
  'utf8toUnicode',
] as const;

function caseInsensitiveIndex(names: Iterable<string>): Map<string, string> {
  const index = new Map<string, string>();
  for (const name of names) index.set(name.toLowerCase(), name);
  return index;
}

const directiveIndex = caseInsensitiveIndex(DIRECTIVES);
const actionIndex = caseInsensitiveIndex(Object.keys(ACTIONS));
const ctlIndex = caseInsensitiveIndex(Object.keys(CTL_OPTIONS));
const collectionSet = new Set<string>(COLLECTIONS);
const scalarSet = new Set<string>(SCALAR_VARIABLES);
const macroNameSet = new Set<string>([...COLLECTIONS, ...SCALAR_VARIABLES, ...MACRO_ONLY_NAMES]);

export function canonicalDirectiveName(name: string): string | undefined {
  return directiveIndex.get(name.toLowerCase());
}

export function canonicalActionName(name: string): string | undefined {
  return actionIndex.get(name.toLowerCase());
}

export function canonicalCtlOption(name: string): string | undefined {
  return ctlIndex.get(name.toLowerCase());
}

/** 'collection' (takes keys), 'scalar', or undefined when unknown. Expects upper case. */
export function variableKind(name: string): 'collection' | 'scalar' | undefined {
  if (collectionSet.has(name)) return 'collection';
  if (scalarSet.has(name)) return 'scalar';
  return undefined;
}

/** True when `%{NAME...}` may appear in a macro. Expects upper case. */
export function isMacroName(name: string): boolean {
  return macroNameSet.has(name);
}

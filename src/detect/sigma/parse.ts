/**
 * Sigma rule parser (detect/sigma): YAML text (one file, possibly several documents) to
 * validated SigmaRules and CorrelationRules, with every modifier, wildcard and condition
 * compiled so that whatever is wrong is found here, at load time, and reported as
 * `file#document: reason`. A document that fails does not stop the others.
 * The pre-2.0 multi-document forms `action: global` (merged into the following documents until
 * `action: reset`) and `action: repeat` (the previous document with changes) are understood.
 *
 * @example
 * const { rules, correlations, problems } = parseSigmaText(readFileSync(file, 'utf8'), file);
 */
import { isMap, parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { CorrelationRuleError, parseCorrelationDocument } from '../correlation/parse.js';
import type { CorrelationRule } from '../correlation/types.js';
import { ConditionError, checkConditionNames, parseCondition } from './condition.js';
import type { ConditionNode } from './condition.js';
import { KEYWORD_FIELD } from './field-map.js';
import { compileFieldTest, ModifierError } from './modifiers.js';
import type { FieldTest, SigmaScalar } from './modifiers.js';
import { SIGMA_LEVELS } from './types.js';
import type { SigmaProblem, SigmaRule, SigmaSelection } from './types.js';

/** Larger files are refused: a rule file is a few KB; this bounds a hostile upload. */
export const MAX_RULE_FILE_BYTES = 1_048_576;

export interface ParsedSigmaFile {
  rules: SigmaRule[];
  correlations: CorrelationRule[];
  problems: SigmaProblem[];
}

export class RuleError extends Error {}

const stringList = z
  .union([z.string(), z.array(z.union([z.string(), z.number()]))])
  .transform((value) => (typeof value === 'string' ? [value] : value.map(String)));

const logsourceSchema = z.looseObject({
  category: z.string().optional(),
  product: z.string().optional(),
  service: z.string().optional(),
  definition: z.string().optional(),
});

export const ruleHeaderSchema = z.looseObject({
  title: z.string().min(1).max(256),
  id: z.string().min(1).max(256).optional(),
  name: z.string().min(1).max(256).optional(),
  status: z.enum(['stable', 'test', 'experimental', 'deprecated', 'unsupported']).optional(),
  level: z.enum(SIGMA_LEVELS).optional(),
  description: z.string().optional(),
  author: z.string().optional(),
  tags: stringList.optional(),
  references: stringList.optional(),
  falsepositives: stringList.optional(),
  fields: stringList.optional(),
});

const ruleSchema = ruleHeaderSchema.extend({
  logsource: logsourceSchema,
  detection: z.record(z.string(), z.unknown()),
});

/** One line per zod issue: `path: message`. */
export function zodReason(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'document'}: ${issue.message}`)
    .join('; ');
}

function isScalarValue(value: unknown): value is SigmaScalar {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function fieldTest(key: string, value: unknown, selection: string): FieldTest {
  const [field = '', ...modifiers] = key.split('|');
  const values = Array.isArray(value) ? value : [value];
  for (const item of values) {
    if (!isScalarValue(item))
      throw new RuleError(
        `selection '${selection}', field '${key}': values must be strings, numbers, booleans or null`,
      );
  }
  const isKeyword = field === KEYWORD_FIELD;
  const comparison = modifiers.some(
    (m) => !['all', 'cased', 'windash', 'wide', 'utf16le', 'utf16be', 'utf16'].includes(m),
  );
  // a keyword is searched for anywhere in the event's text, unless a modifier says otherwise
  const effective = isKeyword && !comparison ? ['contains', ...modifiers] : modifiers;
  try {
    return compileFieldTest(field, effective, values as SigmaScalar[]);
  } catch (error) {
    if (error instanceof ModifierError) throw new RuleError(`selection '${selection}': ${error.message}`);
    throw error;
  }
}

function mapAlternative(map: Record<string, unknown>, selection: string): FieldTest[] {
  const entries = Object.entries(map);
  if (entries.length === 0) throw new RuleError(`selection '${selection}' is an empty map`);
  return entries.map(([key, value]) => fieldTest(key, value, selection));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseSelection(name: string, body: unknown): SigmaSelection {
  if (isPlainObject(body)) return { name, alternatives: [mapAlternative(body, name)] };
  if (isScalarValue(body)) return { name, alternatives: [[fieldTest(KEYWORD_FIELD, [body], name)]] };
  if (!Array.isArray(body) || body.length === 0)
    throw new RuleError(`selection '${name}' must be a map, a list of maps or a list of keywords`);
  if (body.every(isScalarValue)) return { name, alternatives: [[fieldTest(KEYWORD_FIELD, body, name)]] };
  if (body.every(isPlainObject)) return { name, alternatives: body.map((map) => mapAlternative(map, name)) };
  throw new RuleError(`selection '${name}' mixes keywords and maps in one list`);
}

function parseDetection(detection: Record<string, unknown>): {
  selections: Map<string, SigmaSelection>;
  condition: ConditionNode;
} {
  if ('timeframe' in detection)
    throw new RuleError("detection 'timeframe' is not supported; write a correlation rule");
  const conditionValue = detection['condition'];
  const conditions = typeof conditionValue === 'string' ? [conditionValue] : conditionValue;
  if (
    !Array.isArray(conditions) ||
    conditions.length === 0 ||
    !conditions.every((c) => typeof c === 'string')
  ) {
    throw new RuleError('detection.condition must be a string (or a list of strings)');
  }
  const selections = new Map<string, SigmaSelection>();
  for (const [name, body] of Object.entries(detection)) {
    if (name === 'condition') continue;
    selections.set(name, parseSelection(name, body));
  }
  if (selections.size === 0) throw new RuleError('detection has no selection');
  const names = [...selections.keys()];
  try {
    const parsed = (conditions as string[]).map((text) => {
      const node = parseCondition(text);
      checkConditionNames(node, names);
      return node;
    });
    return { selections, condition: parsed.length === 1 ? parsed[0]! : { type: 'or', items: parsed } };
  } catch (error) {
    if (error instanceof ConditionError) throw new RuleError(`condition: ${error.message}`);
    throw error;
  }
}

/** Validates one rule document (not a correlation) into a SigmaRule; throws RuleError. */
export function parseRuleDocument(doc: Record<string, unknown>, file: string, document: number): SigmaRule {
  const result = ruleSchema.safeParse(doc);
  if (!result.success) throw new RuleError(zodReason(result.error));
  const raw = result.data;
  const { category, product, service } = raw.logsource;
  if (category === undefined && product === undefined && service === undefined) {
    throw new RuleError('logsource needs a category, product or service');
  }
  const { selections, condition } = parseDetection(raw.detection);
  const rule: SigmaRule = {
    id: raw.id ?? raw.name ?? `${file}#${document}`,
    title: raw.title,
    level: raw.level ?? 'medium',
    tags: raw.tags ?? [],
    references: raw.references ?? [],
    falsepositives: raw.falsepositives ?? [],
    fields: raw.fields ?? [],
    logsource: {},
    selections,
    condition,
    file,
    document,
  };
  if (raw.name !== undefined) rule.name = raw.name;
  if (raw.status !== undefined) rule.status = raw.status;
  if (raw.description !== undefined) rule.description = raw.description;
  if (raw.author !== undefined) rule.author = raw.author;
  if (category !== undefined) rule.logsource.category = category;
  if (product !== undefined) rule.logsource.product = product;
  if (service !== undefined) rule.logsource.service = service;
  if (raw.logsource.definition !== undefined) rule.logsource.definition = raw.logsource.definition;
  return rule;
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over))
    out[key] = key in base ? deepMerge(base[key], value) : value;
  return out;
}

function titleOf(doc: unknown): { title?: string; ruleId?: string } {
  if (!isPlainObject(doc)) return {};
  const out: { title?: string; ruleId?: string } = {};
  if (typeof doc['title'] === 'string') out.title = doc['title'];
  if (typeof doc['id'] === 'string') out.ruleId = doc['id'];
  return out;
}

/** YAML keys must be unique and plain: a duplicate `selection:` would silently drop half a rule. */
function yamlDocuments(text: string): Array<{ value: unknown; error?: string }> {
  const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [docs];
  return list.map((doc) => {
    const error = doc.errors[0];
    if (error) return { value: undefined, error: `YAML: ${error.message.split('\n')[0]}` };
    if (doc.contents !== null && !isMap(doc.contents))
      return { value: undefined, error: 'the document is not a map' };
    return { value: doc.toJS({ maxAliasCount: 100 }) as unknown };
  });
}

/** Parses the text of one rule file. Never throws: what fails is in `problems`. */
export function parseSigmaText(text: string, file: string): ParsedSigmaFile {
  const out: ParsedSigmaFile = { rules: [], correlations: [], problems: [] };
  const problem = (reason: string, document?: number, doc?: unknown): void => {
    const entry: SigmaProblem = { code: 'sigma_rule_invalid', file, reason, ...titleOf(doc) };
    if (document !== undefined) entry.document = document;
    out.problems.push(entry);
  };
  if (Buffer.byteLength(text, 'utf8') > MAX_RULE_FILE_BYTES) {
    problem(`the file is larger than ${MAX_RULE_FILE_BYTES} bytes`);
    return out;
  }
  let documents: Array<{ value: unknown; error?: string }>;
  try {
    documents = yamlDocuments(text);
  } catch (error) {
    problem(`YAML: ${(error as Error).message}`);
    return out;
  }
  let global: Record<string, unknown> | null = null;
  let previous: Record<string, unknown> | null = null;
  documents.forEach(({ value, error }, index) => {
    const document = index + 1;
    if (error) return problem(error, document);
    if (value === null || value === undefined) return; // an empty document (a trailing ---)
    let doc = value as Record<string, unknown>;
    const action = doc['action'];
    if (action === 'global') {
      const { action: _dropped, ...rest } = doc;
      global = rest;
      return;
    }
    if (action === 'reset') {
      global = null;
      return;
    }
    if (action === 'repeat') {
      if (!previous) return problem("'action: repeat' has no previous document", document, doc);
      const { action: _dropped, ...rest } = doc;
      doc = deepMerge(previous, rest) as Record<string, unknown>;
    } else if (action !== undefined) {
      return problem(`unknown action '${String(action)}'`, document, doc);
    } else if (global) {
      doc = deepMerge(global, doc) as Record<string, unknown>;
    }
    previous = doc;
    try {
      if ('correlation' in doc) out.correlations.push(parseCorrelationDocument(doc, file, document));
      else out.rules.push(parseRuleDocument(doc, file, document));
    } catch (err) {
      // a RuleError is the expected case; anything else is still this document's problem, not a crash
      const expected = err instanceof RuleError || err instanceof CorrelationRuleError;
      problem(expected ? (err as Error).message : `cannot compile: ${(err as Error).message}`, document, doc);
    }
  });
  return out;
}

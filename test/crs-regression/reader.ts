/**
 * Reads go-ftw test files (CRS regression runner, first step: files -> tests). Never throws on
 * a test file: a file that is not YAML, or not a test file, becomes a `FileProblem`; a test
 * that does not match the schema becomes a malformed test with its reason, and the file's other
 * tests still run. A file holding only comments (CRS keeps 920539.yaml so) is noted, not failed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { fileHeaderSchema, normaliseStage, stageProblem, testSchema, type FtwTest } from './ftw-schema.js';

export interface FileProblem {
  file: string;
  /** 'empty': the file holds no tests (not a failure); 'invalid': it cannot be read as a test file. */
  kind: 'empty' | 'invalid';
  message: string;
}

export interface MalformedTest {
  id: string;
  file: string;
  ruleFile: string;
  message: string;
}

export interface ReadResult {
  tests: FtwTest[];
  malformed: MalformedTest[];
  problems: FileProblem[];
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Parses one test file's text; `file` is the path relative to the tests root (for ids and reports). */
export function parseTestFile(source: string, file: string): ReadResult {
  const result: ReadResult = { tests: [], malformed: [], problems: [] };
  const ruleFile = path.dirname(file) === '.' ? path.basename(file) : path.dirname(file).split(path.sep)[0]!;
  const doc = parseDocument(source, { schema: 'failsafe', uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    result.problems.push({ file, kind: 'invalid', message: `YAML: ${doc.errors[0]!.message}` });
    return result;
  }
  const data: unknown = doc.toJS();
  if (data === null || data === undefined || data === '') {
    result.problems.push({ file, kind: 'empty', message: 'the file holds no tests' });
    return result;
  }
  const header = fileHeaderSchema.safeParse(data);
  if (!header.success) {
    result.problems.push({ file, kind: 'invalid', message: describeIssues(header.error) });
    return result;
  }
  const seen = new Set<string>();
  header.data.tests.forEach((raw, index) => {
    const parsed = testSchema.safeParse(raw);
    const rawId = (raw as { test_id?: unknown } | null)?.test_id;
    const fallbackId = `${header.data.rule_id}-${typeof rawId === 'string' ? rawId : index + 1}`;
    if (!parsed.success) {
      result.malformed.push({ id: fallbackId, file, ruleFile, message: describeIssues(parsed.error) });
      return;
    }
    const testId = parsed.data.test_id ?? index + 1;
    const id = `${header.data.rule_id}-${testId}`;
    const stages = parsed.data.stages.map(normaliseStage);
    const problem = seen.has(id)
      ? `duplicate test id ${id}`
      : stages.map(stageProblem).find((p) => p !== null);
    seen.add(id);
    if (problem) {
      result.malformed.push({ id, file, ruleFile, message: problem });
      return;
    }
    result.tests.push({
      id,
      ruleId: header.data.rule_id,
      testId,
      file,
      ruleFile,
      description: parsed.data.desc ?? '',
      stages,
    });
  });
  return result;
}

function listTestFiles(root: string, relative = ''): string[] {
  const entries = readdirSync(path.join(root, relative), { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const files: string[] = [];
  for (const entry of entries) {
    const child = path.join(relative, entry.name);
    if (entry.isDirectory()) files.push(...listTestFiles(root, child));
    else if (/\.ya?ml$/i.test(entry.name)) files.push(child);
  }
  return files;
}

/** Reads every `*.yaml` / `*.yml` under root, sorted by path. */
export function readTestTree(root: string): ReadResult {
  const all: ReadResult = { tests: [], malformed: [], problems: [] };
  for (const file of listTestFiles(root)) {
    let source: string;
    try {
      source = readFileSync(path.join(root, file), 'utf8');
    } catch (error) {
      all.problems.push({ file, kind: 'invalid', message: `cannot read: ${(error as Error).message}` });
      continue;
    }
    const one = parseTestFile(source, file);
    all.tests.push(...one.tests);
    all.malformed.push(...one.malformed);
    all.problems.push(...one.problems);
  }
  return all;
}

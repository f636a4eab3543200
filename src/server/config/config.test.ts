import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EnsuresecError } from '../../core/errors.js';
import { loadConfig, parseConfig } from './load.js';
import { configSchema } from './schema.js';
import { resolveSecret, pseudonymisationKey } from './secrets.js';

const fixtures = join(import.meta.dirname, 'fixtures');

function problemsOf(text: string): { key: string; line: number | null }[] {
  try {
    parseConfig(text);
  } catch (error) {
    expect(error).toBeInstanceOf(EnsuresecError);
    expect((error as EnsuresecError).code).toBe('config_invalid');
    return (error as EnsuresecError).details as { key: string; line: number | null }[];
  }
  throw new Error('expected the configuration to be refused');
}

/** Every documented key path of the schema, as written in docs/configuration.md. */
function keyPaths(schema: z.ZodType, prefix = ''): string[] {
  let current = schema;
  while (
    current instanceof z.ZodDefault ||
    current instanceof z.ZodPrefault ||
    current instanceof z.ZodOptional ||
    current instanceof z.ZodNullable
  ) {
    current = current.unwrap() as z.ZodType;
  }
  if (current instanceof z.ZodArray) {
    if (!(current.element instanceof z.ZodObject)) return [prefix];
    return [prefix, ...keyPaths(current.element as z.ZodType, `${prefix}[]`)];
  }
  if (!(current instanceof z.ZodObject)) return [prefix];
  const paths = Object.entries(current.shape as Record<string, z.ZodType>).flatMap(([key, child]) =>
    keyPaths(child, prefix ? `${prefix}.${key}` : key),
  );
  return prefix && schema instanceof z.ZodDefault ? [prefix, ...paths] : paths;
}

describe('configuration', () => {
  it('gives a working embedded deployment from an empty file', () => {
    const config = parseConfig('');
    expect(config.store.dialect).toBe('sqlite');
    expect(config.api).toMatchObject({ host: '127.0.0.1', port: 8700 });
    expect(config.gateway).toMatchObject({
      host: '127.0.0.1',
      port: 8780,
      upstream: 'http://127.0.0.1:8781',
    });
    expect(config.gateway.limits.headersTimeout).toBe(10_000);
  });

  it('reads the full example fixture', () => {
    const config = parseConfig(readFileSync(join(fixtures, 'full.yaml'), 'utf8'));
    expect(config.gateway.rateLimits.routes[0]).toEqual({
      method: 'POST',
      pathPrefix: '/login',
      ratePerMinute: 10,
      burst: 5,
    });
    expect(config.api.sessionTtl).toBe(2 * 3_600_000);
    expect(config.retention.rawEventsDays).toBe(14);
  });

  it('names the key and line of a value out of range', () => {
    expect(problemsOf('gateway:\n  port: 99999\n')).toEqual([
      expect.objectContaining({ key: 'gateway.port', line: 2 }),
    ]);
  });

  it('names an unknown key on its own line', () => {
    expect(problemsOf('api:\n  port: 8700\n  prot: 1\n')).toEqual([
      expect.objectContaining({ key: 'api.prot', line: 3 }),
    ]);
  });

  it('refuses a duration it cannot read', () => {
    expect(problemsOf('api:\n  sessionTtl: forever\n')[0]).toMatchObject({ key: 'api.sessionTtl', line: 2 });
  });

  it('refuses a literal secret', () => {
    expect(problemsOf('secrets:\n  adminPassword: hunter2\n')[0]).toMatchObject({
      key: 'secrets.adminPassword',
    });
  });

  it('reports malformed YAML with its line', () => {
    expect(problemsOf('gateway:\n  port: [1,\n')[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it('fails clearly on a missing explicit file and uses defaults without one', () => {
    expect(() => loadConfig('/nonexistent/ensuresec.yaml')).toThrow(/Cannot read/);
    const dir = mkdtempSync(join(tmpdir(), 'ensuresec-config-'));
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      expect(loadConfig().path).toBeNull();
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('documents every key of the schema, and nothing else', () => {
    const doc = readFileSync(join(import.meta.dirname, '../../../docs/configuration.md'), 'utf8');
    const documented = [...doc.matchAll(/^\|\s*`([^`]+)`\s*\|/gm)].map((match) => match[1]);
    const schemaKeys = keyPaths(configSchema);
    expect(schemaKeys.filter((key) => !documented.includes(key))).toEqual([]);
    expect(documented.filter((key) => !schemaKeys.includes(key as string))).toEqual([]);
  });
});

describe('secrets', () => {
  it('resolves env: and file: references', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ensuresec-secret-'));
    try {
      writeFileSync(join(dir, 's'), 'from-file\n');
      expect(resolveSecret('env:X_TEST_SECRET', { X_TEST_SECRET: 'from-env' })).toBe('from-env');
      expect(resolveSecret(`file:${join(dir, 's')}`)).toBe('from-file');
      expect(() => resolveSecret(`file:${join(dir, 'missing')}`)).toThrow(/cannot be read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('makes a pseudonymisation key once and keeps it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ensuresec-key-'));
    try {
      const first = pseudonymisationKey(dir, undefined);
      expect(first.length).toBe(32);
      expect(pseudonymisationKey(dir, undefined).equals(first)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

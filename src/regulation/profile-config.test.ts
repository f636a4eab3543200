/** The `entity:` section of ensuresec.yaml, read by the real configuration loader. */
import { describe, expect, it } from 'vitest';
import { EnsuresecError } from '../core/errors.js';
import { parseConfig } from '../server/config/load.js';

describe('entity profile in ensuresec.yaml', () => {
  it('is optional, and read with its defaults when present', () => {
    expect(parseConfig('').entity).toBeUndefined();
    const { entity } = parseConfig(
      'entity:\n  type: online_marketplace\n  euUsers: 4000000\n  timeZone: Europe/Berlin\n',
    );
    expect(entity).toMatchObject({
      type: 'online_marketplace',
      euUsers: 4_000_000,
      timeZone: 'Europe/Berlin',
      trustServiceProvider: false,
      gdprRole: 'controller',
      maintenance: [],
    });
  });

  it('names the key and line of an invalid value', () => {
    const text =
      'entity:\n  type: online_marketplace\n  euUsers: -3\n  maintenance:\n    - { start: "2026-11-01T05:00:00Z", end: "2026-11-01T01:00:00Z" }\n';
    let problems: { key: string; line: number | null }[] = [];
    try {
      parseConfig(text);
    } catch (error) {
      expect(error).toBeInstanceOf(EnsuresecError);
      problems = (error as EnsuresecError).details as typeof problems;
    }
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'entity.euUsers', line: 3 }),
        expect.objectContaining({ key: 'entity.maintenance.0.end' }),
      ]),
    );
  });

  it('refuses an entity type it does not know', () => {
    expect(() => parseConfig('entity:\n  type: webshop\n')).toThrow(EnsuresecError);
  });
});

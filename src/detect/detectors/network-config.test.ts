import { describe, expect, it } from 'vitest';
import { createDetectors } from './registry.js';

describe('network detector settings', () => {
  it.each([
    [
      'forbidden-paths',
      { rules: [{ name: 'db', ports: [5432], allowedSources: ['10.0.0.0/33'] }] },
      'rules.0.allowedSources.0',
    ],
    ['forbidden-paths', { rules: [{ name: 'db', ports: [], allowedSources: [] }] }, 'rules.0.ports'],
    [
      'forbidden-paths',
      {
        rules: [
          { name: 'db', ports: [5432], allowedSources: [] },
          { name: 'db', ports: [3306], allowedSources: [] },
        ],
      },
      'rules',
    ],
    ['port-scan', { ignorePorts: [70_000] }, 'ignorePorts.0'],
    ['unusual-egress', { internalNetworks: ['10.0.0.0/8', 'intranet'] }, 'internalNetworks.1'],
    ['beaconing', { maxJitter: 2 }, 'maxJitter'],
    ['flood', { bucket: 'soon' }, 'bucket'],
    ['slow-attack', { minFlows: 0 }, 'minFlows'],
  ] as const)('%s refuses %j naming the key', (name, settings, key) => {
    expect(() => createDetectors({ [name]: settings })).toThrow(
      expect.objectContaining({
        code: 'config_invalid',
        detail: expect.stringContaining(`detectors.${name}.${key}`),
      }),
    );
  });

  it('accepts IPv6 networks and single addresses', () => {
    const detectors = createDetectors({
      'forbidden-paths': {
        rules: [{ name: 'db', ports: [5432], allowedSources: ['2001:db8::/48', '10.0.1.5'] }],
      },
    });
    expect(detectors.map((d) => d.name)).toContain('forbidden-paths');
  });
});

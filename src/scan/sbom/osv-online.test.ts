/**
 * The `--online` path against a local fake of the OSV API on 127.0.0.1 (tests never go
 * online): one `querybatch` for the packages, then each advisory in full; the advisories then
 * match as local ones do. An API error becomes `osv_source_invalid`.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnsuresecError } from '../../core/errors.js';
import { readLockfiles } from './lockfiles.js';
import { matchAdvisories, queryOsvOnline } from './osv.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/sbom');
const advisory = (id: string): string => readFileSync(join(FIXTURES, 'osv/npm', `${id}.json`), 'utf8');

describe('OSV API (local fake)', () => {
  let server: Server;
  let base: string;
  const seen: { method: string; url: string; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', body });
        if (req.url === '/v1/querybatch') {
          const { queries } = JSON.parse(body) as {
            queries: { package: { name: string }; version: string }[];
          };
          const results = queries.map((q) =>
            q.package.name === 'lodash' && q.version === '4.17.20'
              ? { vulns: [{ id: 'ENSTEST-2026-0001' }] }
              : {},
          );
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results }));
        } else if (req.url === '/v1/vulns/ENSTEST-2026-0001') {
          res.writeHead(200, { 'content-type': 'application/json' }).end(advisory('ENSTEST-2026-0001'));
        } else res.writeHead(500).end('broken');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('asks in one batch, fetches each advisory, and matches them', async () => {
    const { packages } = readLockfiles(join(FIXTURES, 'shop'));
    const advisories = await queryOsvOnline(packages, { baseUrl: base });
    expect(advisories.map((a) => a.id)).toEqual(['ENSTEST-2026-0001']);
    const batch = JSON.parse(seen[0]?.body ?? '{}') as { queries: unknown[] };
    expect(batch.queries).toHaveLength(packages.length);
    expect(batch.queries).toContainEqual({
      package: { ecosystem: 'Packagist', name: 'guzzlehttp/guzzle' },
      version: '7.4.4',
    });
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /v1/querybatch',
      'GET /v1/vulns/ENSTEST-2026-0001',
    ]);
    expect(matchAdvisories(packages, advisories).map((m) => `${m.pkg.name}@${m.pkg.version}`)).toEqual([
      'lodash@4.17.20',
    ]);
  });

  it('turns an API failure into osv_source_invalid', async () => {
    const failing = queryOsvOnline(
      [{ ecosystem: 'npm', name: 'x', version: '1.0.0', dev: false, source: 't' }],
      {
        baseUrl: `${base}/broken`,
      },
    );
    await expect(failing).rejects.toSatisfy(
      (error: unknown) => error instanceof EnsuresecError && error.code === 'osv_source_invalid',
    );
  });
});

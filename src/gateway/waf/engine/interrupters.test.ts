/**
 * Whether phase 3 can still interrupt a transaction after phase 2 (interrupters.ts), case by
 * case from fixtures/interrupters/cases.json; each case also runs phase 3 on a 500 response and checks
 * that a transaction said not to be interruptible is indeed not interrupted. Then the real CRS.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRuleFiles } from '../seclang/loader.js';
import { createWafEngine, type WafEngine } from './engine.js';
import { engineFromText } from './testing/stand-ins.js';

interface Case {
  name: string;
  rules: string;
  uri: string;
  mayInterrupt: boolean;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const cases = JSON.parse(readFileSync(path.join(here, 'fixtures/interrupters/cases.json'), 'utf8')) as Case[];
const crsDir = process.env.ENSURESEC_CRS_DIR ?? path.resolve(here, '../../../../../shared/crs');

function afterPhase2(engine: WafEngine, uri: string) {
  const tx = engine.newTransaction({
    remoteAddr: '198.51.100.7',
    method: 'GET',
    uri,
    protocol: 'HTTP/1.1',
    headers: [
      ['Host', 'shop.example'],
      ['User-Agent', 'Mozilla/5.0'],
      ['Accept', 'text/html'],
    ],
  });
  tx.processRequestHeaders();
  return tx;
}

describe('responseHeadersMayInterrupt', () => {
  for (const c of cases) {
    it(c.name, () => {
      const tx = afterPhase2(engineFromText(`SecRuleEngine On\n${c.rules}`), c.uri);
      expect(tx.responseHeadersMayInterrupt()).toBe(true); // phase 2 still to run
      expect(tx.processRequestBody()).toBeNull();
      expect(tx.responseHeadersMayInterrupt()).toBe(c.mayInterrupt);
      const interruption = tx.processResponseHeaders({ status: 500, headers: [] });
      if (!c.mayInterrupt) expect(interruption).toBeNull();
      expect(tx.responseHeadersMayInterrupt()).toBe(false); // phase 3 has run
    });
  }

  it('the CRS 4.28 at PL1 with the default setup cannot interrupt in phase 3, unless early blocking is on', () => {
    const files = [`${crsDir}/crs-setup.conf.example`, `${crsDir}/rules/*.conf`];
    const crs = createWafEngine(loadRuleFiles(files));
    const tx = afterPhase2(crs, '/catalog?page=2');
    tx.processRequestBody();
    expect(tx.responseHeadersMayInterrupt()).toBe(false);

    const early = path.join(here, 'fixtures/interrupters/early-blocking.conf');
    const withEarly = createWafEngine(
      loadRuleFiles([`${crsDir}/crs-setup.conf.example`, early, `${crsDir}/rules/*.conf`]),
    );
    const earlyTx = afterPhase2(withEarly, '/catalog?page=2');
    earlyTx.processRequestBody();
    expect(earlyTx.responseHeadersMayInterrupt()).toBe(true);
  });
});

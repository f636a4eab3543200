/**
 * One gateway per child process for the WAF benchmark (bench/waf.ts), so the gateway and the
 * load generators never share an event loop:
 *   node waf-server.mjs gateway-crs <upstreamUrl> <crsDir> <dataDir>   (CRS at PL1, default setup)
 *   node waf-server.mjs gateway <upstreamUrl>                           (same gateway, no WAF)
 * The CRS gateway goes through the composition root's own path (createWafForGateway with the
 * ensuresec.yaml defaults: SecRuleEngine On, paranoia 1, thresholds 5/4, audit log in dataDir).
 * Prints one JSON line {"port": n, "rules"?: n} when listening.
 */
import { pino } from 'pino';
import { createGateway } from '../src/gateway/index.js';
import { configSchema } from '../src/server/config/schema.js';
import { createWafForGateway } from '../src/server/waf.js';

const [role, upstream = '', crsDir, dataDir] = process.argv.slice(2);

async function main(): Promise<void> {
  let events = 0;
  const base = { upstream, host: '127.0.0.1', port: 0, publishEvent: () => void events++ };
  let inspection = {};
  if (role === 'gateway-crs') {
    if (crsDir === undefined || dataDir === undefined)
      throw new Error('gateway-crs needs <crsDir> <dataDir>');
    // The defaults a user gets from an ensuresec.yaml that only names the CRS folder.
    // BENCH_WAF_WORKERS (auto | 0 | n) compares inspection inline with the worker pool.
    const workers = process.env['BENCH_WAF_WORKERS'];
    const waf = configSchema.shape.waf.parse({
      crs: crsDir,
      ...(workers === undefined ? {} : { workers: workers === 'auto' ? 'auto' : Number(workers) }),
    });
    const logger = pino({ level: 'warn' }, process.stderr);
    const started = await createWafForGateway(waf, dataDir, logger);
    if (started === null) throw new Error('the WAF did not start');
    inspection = { inspection: started.inspector };
    console.error(`gateway-crs: ${started.workers} WAF worker thread(s)`);
  } else if (role !== 'gateway') {
    throw new Error(`unknown role ${role}`);
  }
  const gateway = createGateway({ ...base, ...inspection });
  const { port } = await gateway.listen();
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'stats') process.send?.({ type: 'stats', stats: { events } });
  });
  process.on('SIGTERM', () => process.exit(0));
  console.log(JSON.stringify({ port }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

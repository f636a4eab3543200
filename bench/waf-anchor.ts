/**
 * The anchor of the WAF benchmark (bench/waf.ts): nginx + ModSecurity v3 + CRS 4.28 from
 * ../shared/anchors/modsec-nginx (setup.sh with CRS4_DIR; needs root and the apt packages
 * nginx libnginx-mod-http-modsecurity modsecurity-crs). It serves CRS 4 on 127.0.0.1:8086,
 * plain nginx proxying on 8085 and the fast upstream (nginx `return 200`) on 8083.
 * A running anchor is reused and left running; one this run started is stopped with stop.sh.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';

export const ANCHOR_PORTS = { crs4: 8086, proxy: 8085, fastUpstream: 8083 } as const;

export interface Anchor {
  /** nginx master PID (its workers are its children: bench/measure.ts cpuTicks counts them). */
  pid: number;
  startedHere: boolean;
  runDir: string;
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/', headers: { Host: 'localhost' }, timeout: 2000 },
      (res) => {
        res.resume();
        resolve(true);
      },
    );
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

function masterPid(runDir: string): number {
  try {
    return Number(readFileSync(join(runDir, 'nginx.pid'), 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
}

/** The anchor, or a reason why it cannot run here. */
export async function startAnchor(anchorDir: string, crsDir: string): Promise<Anchor | { skipped: string }> {
  const runDir = process.env['RUN_DIR'] ?? '/tmp/modsec-anchor';
  if ((await answers(ANCHOR_PORTS.crs4)) && (await answers(ANCHOR_PORTS.fastUpstream))) {
    const pid = masterPid(runDir);
    return pid > 0
      ? { pid, startedHere: false, runDir }
      : { skipped: `:8086 answers but no ${runDir}/nginx.pid` };
  }
  if (!existsSync(join(anchorDir, 'setup.sh'))) return { skipped: `no anchor at ${anchorDir}` };
  if (process.getuid?.() !== 0) return { skipped: 'setup.sh needs root' };
  if (!existsSync('/usr/lib/nginx/modules/ngx_http_modsecurity_module.so'))
    return {
      skipped:
        'ModSecurity for nginx is not installed: apt-get install -y --no-install-recommends nginx libnginx-mod-http-modsecurity modsecurity-crs',
    };
  const setup = spawnSync(join(anchorDir, 'setup.sh'), {
    env: { ...process.env, CRS4_DIR: crsDir, SKIP_APT: '1', RUN_DIR: runDir },
    encoding: 'utf8',
  });
  if (setup.status !== 0)
    return {
      skipped: `setup.sh failed (${setup.status}): ${(setup.stderr || setup.stdout).trim().split('\n').slice(-3).join(' | ')}`,
    };
  const pid = masterPid(runDir);
  return pid > 0 ? { pid, startedHere: true, runDir } : { skipped: 'setup.sh ran but wrote no nginx.pid' };
}

export function stopAnchor(anchorDir: string, anchor: Anchor): void {
  if (!anchor.startedHere) {
    console.log(
      `anchor left running (it was running before this benchmark); stop it with ${anchorDir}/stop.sh`,
    );
    return;
  }
  const stop = spawnSync(join(anchorDir, 'stop.sh'), {
    env: { ...process.env, RUN_DIR: anchor.runDir },
    encoding: 'utf8',
  });
  console.log(`anchor stopped: ${stop.stdout.trim().replace(/\n/g, '; ')}`);
}

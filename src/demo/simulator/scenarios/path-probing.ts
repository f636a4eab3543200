/**
 * path-probing: a vulnerability scanner asks for the files and admin panels that leak on
 * careless deployments (/.env, /.git/config, /wp-admin …).
 */
import { ATTACK_USER_AGENTS } from '../user-agents.js';
import type { AttackScenario } from './types.js';

const PATHS = [
  '/.env',
  '/.env.backup',
  '/.git/config',
  '/.git/HEAD',
  '/.svn/entries',
  '/.DS_Store',
  '/.aws/credentials',
  '/wp-admin/',
  '/wp-login.php',
  '/xmlrpc.php',
  '/phpmyadmin/',
  '/admin.php',
  '/config.php.bak',
  '/backup.zip',
  '/db.sql',
  '/server-status',
  '/actuator/env',
  '/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php',
  '/cgi-bin/test.cgi',
  '/.well-known/security.txt',
];

export const pathProbing: AttackScenario = {
  name: 'path-probing',
  description: `Requests ${PATHS.length} well-known sensitive paths (/.env, /.git/config, /wp-admin …).`,
  maxRequests: PATHS.length,
  maxDurationMs: 30_000,
  ratePerSecond: 20,
  async run(ctx) {
    const client = ctx.client(ATTACK_USER_AGENTS.scanner);
    for (const path of PATHS) {
      const res = await client.get(path);
      ctx.note(res.status === 200 ? 'path_exposed' : 'path_missing');
    }
  },
};

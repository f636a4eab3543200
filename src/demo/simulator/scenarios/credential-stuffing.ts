/**
 * credential-stuffing: replays a "leaked" list of email and password pairs against the
 * login form from one address, as a bot does after a breach elsewhere.
 */
import { logIn } from '../shop-flows.js';
import { ATTACK_USER_AGENTS } from '../user-agents.js';
import type { AttackScenario } from './types.js';

const COMMON_PASSWORDS = [
  '123456',
  'password',
  'qwerty123',
  'Summer2024!',
  'iloveyou',
  'letmein1',
  'welcome1',
];
const ATTEMPTS = 40;

export const credentialStuffing: AttackScenario = {
  name: 'credential-stuffing',
  description: `Tries ${ATTEMPTS} leaked email/password pairs against /login from one client.`,
  maxRequests: ATTEMPTS * 2 + 5,
  maxDurationMs: 60_000,
  ratePerSecond: 15,
  async run(ctx) {
    const client = ctx.client(ATTACK_USER_AGENTS.curl);
    for (let i = 0; i < ATTEMPTS; i++) {
      const email = `user${1000 + i}@mail.example`;
      const password = COMMON_PASSWORDS[i % COMMON_PASSWORDS.length] ?? 'password';
      const res = await logIn(client, email, password);
      if (res.status === 429) ctx.note('login_rate_limited');
      else if (res.status === 303) ctx.note('login_succeeded');
      else ctx.note('login_failed');
    }
  },
};

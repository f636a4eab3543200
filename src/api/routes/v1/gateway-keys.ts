/**
 * The challenge key for remote gateways (api/v1): a gateway that follows the server
 * (`ensuresec start --follow`) fetches it once at start, so it serves the proof-of-work
 * challenge and accepts the passes every other gateway of the deployment issues. The key is
 * derived from the deployment's pseudonymisation key; holding it lets one mint passes, so
 * only the `gateway` and `admin` roles have `read:gateway-secrets`. Never logged.
 */
import { z } from 'zod';
import { deriveChallengeSecret } from '../../../gateway/challenge/tokens.js';
import { defineRoute } from '../../route.js';

export const challengeKeySchema = z.object({
  /** The HMAC key of challenges and passes, base64url. */
  key: z.string(),
});
export type ChallengeKey = z.infer<typeof challengeKeySchema>;

const challengeKey = defineRoute('gateway', {
  method: 'GET',
  url: '/gateway/challenge-key',
  summary: "The deployment's challenge key, for remote gateways (read:gateway-secrets)",
  access: 'read:gateway-secrets',
  response: { schema: challengeKeySchema },
  handler({ deps }): Promise<ChallengeKey> {
    return Promise.resolve({ key: deriveChallengeSecret(deps.pseudonymisationKey).toString('base64url') });
  },
});

export const gatewayKeyRoutes = [challengeKey];

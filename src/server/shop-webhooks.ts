/**
 * The shop webhook secrets (composition root): `ingest.shopWebhooks.secrets` resolved and
 * decoded for the API's `POST /shop-events`. A value may hold several `whsec_` secrets
 * separated by spaces, so one environment variable can carry the new and the old secret
 * during a rotation. Errors name the reference, never the secret. The demo shop signs its
 * business events with the first secret when one is configured.
 */
import { EnsuresecError } from '../core/errors.js';
import { parseWebhookSecret } from '../ingest/sources/webhook/signature.js';
import type { IngestApiConfig } from '../api/types.js';
import type { EnsuresecConfig } from './config/schema.js';
import { resolveSecret } from './config/secrets.js';

/** Every configured secret as written (`whsec_…`), checked; the composition root signs with the first. */
export function shopWebhookSecrets(config: EnsuresecConfig, env: NodeJS.ProcessEnv = process.env): string[] {
  const secrets: string[] = [];
  for (const reference of config.ingest.shopWebhooks.secrets) {
    const value = resolveSecret(reference, env);
    if (value === undefined) continue;
    for (const secret of value.split(/\s+/).filter((part) => part.length > 0)) {
      const parsed = parseWebhookSecret(secret);
      if (!parsed.ok) {
        throw new EnsuresecError('config_invalid', {
          detail: `ingest.shopWebhooks.secrets: ${reference} holds an unusable secret: ${parsed.reason}.`,
        });
      }
      secrets.push(secret);
    }
  }
  return secrets;
}

export function shopWebhookSettings(
  config: EnsuresecConfig,
  env: NodeJS.ProcessEnv = process.env,
): IngestApiConfig['shopWebhooks'] {
  const keys = shopWebhookSecrets(config, env).map((secret) => {
    const parsed = parseWebhookSecret(secret);
    // shopWebhookSecrets only returns secrets that parse.
    if (!parsed.ok) throw new EnsuresecError('config_invalid', { detail: parsed.reason });
    return parsed.key;
  });
  return { keys, toleranceMs: config.ingest.shopWebhooks.tolerance };
}

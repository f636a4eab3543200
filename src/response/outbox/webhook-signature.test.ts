import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EnsuresecError } from '../../core/errors.js';
import { signWebhook, webhookHeaders } from './webhook-signature.js';

interface SignVector {
  name: string;
  secret: string;
  msg_id: string;
  timestamp: number;
  payload: string;
  expected_signature: string;
}

const vectors = JSON.parse(
  readFileSync(new URL('./fixtures/standard-webhooks-vectors.json', import.meta.url), 'utf8'),
) as { sign_vectors: SignVector[]; invalid_secrets: string[] };

describe('Standard Webhooks signer', () => {
  it.each(vectors.sign_vectors.map((vector) => [vector.name, vector] as const))(
    'matches the vector: %s',
    (_, vector) => {
      const message = {
        secret: vector.secret,
        id: vector.msg_id,
        timestampSeconds: vector.timestamp,
        body: vector.payload,
      };
      expect(signWebhook(message)).toBe(vector.expected_signature);
      expect(webhookHeaders(message)).toEqual({
        'webhook-id': vector.msg_id,
        'webhook-timestamp': String(vector.timestamp),
        'webhook-signature': vector.expected_signature,
      });
    },
  );

  it('refuses a secret that is too short, without echoing it', () => {
    const secret = 'whsec_c2hvcnQ=';
    const error = (() => {
      try {
        signWebhook({ secret, id: 'msg_1', timestampSeconds: 1, body: '{}' });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(EnsuresecError);
    expect((error as EnsuresecError).code).toBe('config_invalid');
    expect((error as EnsuresecError).message).not.toContain('c2hvcnQ');
  });

  it.each(vectors.invalid_secrets)('refuses the invalid secret %j', (secret) => {
    expect(() => signWebhook({ secret, id: 'msg_1', timestampSeconds: 1, body: '{}' })).toThrow(
      EnsuresecError,
    );
  });

  it('refuses an id with a dot, which would make the signed content ambiguous', () => {
    const secret = vectors.sign_vectors[0]?.secret as string;
    expect(() => signWebhook({ secret, id: 'a.b', timestampSeconds: 1, body: '{}' })).toThrow(EnsuresecError);
  });
});

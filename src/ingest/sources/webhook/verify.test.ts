/**
 * The Standard Webhooks verifier and signer against every vector restated from the upstream
 * libraries (fixtures/standard-webhooks-vectors.json, a copy of
 * ../shared/reference/standard-webhooks/vectors.json), plus rotation and tolerance edges.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseWebhookSecret, signWebhook } from './signature.js';
import { verifyWebhook } from './verify.js';

interface Vectors {
  scheme: { tolerance_seconds: number };
  sign_vectors: {
    name: string;
    secret: string;
    msg_id: string;
    timestamp: number;
    payload: string;
    expected_signature: string;
  }[];
  verify_vectors_fixed_time: {
    name: string;
    now: number;
    secret: string;
    payload: string;
    headers: Record<string, string>;
    valid: boolean;
  }[];
  invalid_secrets: string[];
  invalid_timestamps_for_sign: string[];
}

const vectors = JSON.parse(
  readFileSync(new URL('./fixtures/standard-webhooks-vectors.json', import.meta.url), 'utf8'),
) as Vectors;

function keyOf(secret: string): Buffer {
  const parsed = parseWebhookSecret(secret);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.key;
}

describe('Standard Webhooks signing', () => {
  it.each(vectors.sign_vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    expect(signWebhook(keyOf(v.secret), v.msg_id, v.timestamp, v.payload)).toBe(v.expected_signature);
    expect(signWebhook(keyOf(v.secret), v.msg_id, v.timestamp, Buffer.from(v.payload))).toBe(
      v.expected_signature,
    );
  });

  it.each(vectors.invalid_secrets)('refuses the secret %j', (secret) => {
    expect(parseWebhookSecret(secret).ok).toBe(false);
  });

  it('refuses secrets that are not base64 or shorter than 24 bytes', () => {
    expect(parseWebhookSecret('whsec_not base64!').ok).toBe(false);
    expect(parseWebhookSecret(`whsec_${Buffer.alloc(16, 1).toString('base64')}`)).toEqual({
      ok: false,
      reason: 'a webhook secret must hold at least 24 random bytes',
    });
  });

  it.each(vectors.invalid_timestamps_for_sign)('refuses to sign with the timestamp %j', (timestamp) => {
    const v = vectors.sign_vectors[0]!;
    expect(() => signWebhook(keyOf(v.secret), v.msg_id, timestamp, v.payload)).toThrow(RangeError);
  });

  it('refuses to sign an id holding a "." (it would blur the signed fields)', () => {
    const v = vectors.sign_vectors[0]!;
    expect(() => signWebhook(keyOf(v.secret), 'msg.1', v.timestamp, v.payload)).toThrow(RangeError);
  });
});

describe('Standard Webhooks verification', () => {
  it.each(vectors.verify_vectors_fixed_time.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const result = verifyWebhook({
      headers: v.headers,
      body: Buffer.from(v.payload),
      keys: [keyOf(v.secret)],
      nowMs: v.now * 1000,
      toleranceMs: vectors.scheme.tolerance_seconds * 1000,
    });
    expect(result.ok).toBe(v.valid);
  });

  const valid = vectors.verify_vectors_fixed_time.find((v) => v.name === 'valid')!;
  const verify = (over: {
    headers?: Record<string, string | string[]>;
    nowSeconds?: number;
    keys?: Buffer[];
  }) =>
    verifyWebhook({
      headers: over.headers ?? valid.headers,
      body: valid.payload,
      keys: over.keys ?? [keyOf(valid.secret)],
      nowMs: (over.nowSeconds ?? valid.now) * 1000,
    });

  it('accepts any configured secret, so a secret can be rotated', () => {
    const other = Buffer.alloc(32, 7);
    expect(verify({ keys: [other, keyOf(valid.secret)] })).toEqual({
      ok: true,
      id: valid.headers['webhook-id'],
      timestampSeconds: Number(valid.headers['webhook-timestamp']),
    });
    expect(verify({ keys: [other] })).toMatchObject({ ok: false, failure: 'signature_mismatch' });
    expect(verify({ keys: [] })).toMatchObject({ ok: false, failure: 'signature_mismatch' });
  });

  it('accepts a timestamp exactly at the tolerance and refuses one a second beyond, either way', () => {
    const ts = Number(valid.headers['webhook-timestamp']);
    expect(verify({ nowSeconds: ts + 300 }).ok).toBe(true);
    expect(verify({ nowSeconds: ts - 300 }).ok).toBe(true);
    expect(verify({ nowSeconds: ts + 301 })).toMatchObject({ failure: 'timestamp_out_of_tolerance' });
    expect(verify({ nowSeconds: ts - 301 })).toMatchObject({ failure: 'timestamp_out_of_tolerance' });
  });

  it('tells a request without webhook headers from one with broken headers', () => {
    expect(verify({ headers: {} })).toMatchObject({ ok: false, failure: 'missing_headers' });
    const broken: Record<string, string | string[]>[] = [
      { ...valid.headers, 'webhook-timestamp': '1614265330.5' },
      { ...valid.headers, 'webhook-timestamp': '-1' },
      { ...valid.headers, 'webhook-id': 'msg.with.dots' },
      { ...valid.headers, 'webhook-id': 'x'.repeat(257) },
      { ...valid.headers, 'webhook-id': ['msg_a', 'msg_b'] },
    ];
    for (const headers of broken) expect(verify({ headers })).toMatchObject({ failure: 'malformed_headers' });
  });

  it('verifies the raw bytes, not a re-serialised body', () => {
    const key = keyOf(valid.secret);
    const body = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]);
    const headers = { 'webhook-id': 'msg_raw', 'webhook-timestamp': String(valid.now) };
    const signature = signWebhook(key, 'msg_raw', valid.now, body);
    const check = (sent: Buffer) =>
      verifyWebhook({
        headers: { ...headers, 'webhook-signature': signature },
        body: sent,
        keys: [key],
        nowMs: valid.now * 1000,
      });
    expect(check(body).ok).toBe(true);
    expect(check(Buffer.from(body.toString('utf8'))).ok).toBe(false);
  });
});

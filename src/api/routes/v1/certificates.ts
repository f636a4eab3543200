/**
 * Scan certificate routes (api/v1). An admin registers a certificate (`ensuresec cert
 * register`: the JWS and the issuer's public key, checked before it is kept) and revokes it
 * (`ensuresec cert revoke`); both are ledger-recorded. An admin may also confirm a flaw
 * monitoring found (an incident or alert), which revokes the certificates it contradicts
 * (auto-revoke.ts). Anyone may verify one, without an account (public by design,
 * rate-limited per client address): its status (valid, revoked,
 * expired) with the JWS, a verification page, an SVG badge for the shop to embed, and the
 * issuers' keys as a JWKS.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { JWK } from 'jose';
import { z } from 'zod';
import { EnsuresecError } from '../../../core/errors.js';
import { TokenBuckets } from '../../../gateway/token-bucket.js';
import {
  indexCertificate,
  revokeCertificate,
  revokeForConfirmedFlaw,
} from '../../../scan/certificate/auto-revoke.js';
import { verifyCertificate } from '../../../scan/certificate/certificate.js';
import {
  badgeSvg,
  CERTIFICATE_ID_PATTERN,
  CERTIFICATE_KEYS_KEY,
  LATEST_CERTIFICATE_KEY,
  certificateKey,
  publicViewOf,
  verificationPage,
  type RegisteredCertificate,
} from '../../../scan/certificate/public-status.js';
import { ATTACK_CLASSES } from '../../../scan/types.js';
import { defineRoute } from '../../route.js';
import type { ResolvedApiDeps } from '../../types.js';

/** Per client address: a burst of 30, then one request every 2 s. */
const PUBLIC_BURST = 30;
const PUBLIC_RATE_PER_MS = 1 / 2_000;
const publicLimits = new WeakMap<ResolvedApiDeps, TokenBuckets>();

function limitPublic(deps: ResolvedApiDeps, request: FastifyRequest, reply: FastifyReply): void {
  let buckets = publicLimits.get(deps);
  if (!buckets) {
    buckets = new TokenBuckets(50_000);
    publicLimits.set(deps, buckets);
  }
  const waitMs = buckets.take(request.ip, PUBLIC_RATE_PER_MS, PUBLIC_BURST, deps.clock.nowMs());
  if (waitMs > 0) {
    void reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
    throw new EnsuresecError('rate_limited', { detail: 'Too many certificate look-ups from this address.' });
  }
}

const idParams = z.strictObject({
  id: z.string().regex(CERTIFICATE_ID_PATTERN, 'a certificate id (a UUID)'),
});

const jwkSchema = z
  .object({
    kty: z.literal('OKP'),
    crv: z.literal('Ed25519'),
    x: z.string().max(64),
    kid: z.string().max(128).optional(),
  })
  .passthrough();

const publicViewSchema = z.object({
  id: z.string(),
  status: z.enum(['valid', 'revoked', 'expired']),
  target: z.string(),
  mode: z.string(),
  issuedAt: z.string(),
  expiresAt: z.string(),
  classes: z.array(z.object({ class: z.string(), result: z.string() })),
  revocation: z.object({ reason: z.string(), revokedAt: z.string() }).nullable(),
  kid: z.string().nullable(),
  jws: z.string(),
});

const stored = (deps: ResolvedApiDeps, id: string) =>
  deps.store.kv.get<RegisteredCertificate>(certificateKey(id));

/** A public look-up (rate limited per address) of a certificate that may not be registered. */
async function lookUpPublic(
  deps: ResolvedApiDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  id: string,
): Promise<RegisteredCertificate | null> {
  limitPublic(deps, request, reply);
  return (await stored(deps, id)) ?? null;
}

/** The badge and the page are inert: nothing loads or runs in them but their inline style. */
function sendInertDocument(reply: FastifyReply, contentType: string, body: string): FastifyReply {
  return reply
    .type(contentType)
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
    .send(body);
}

async function found(deps: ResolvedApiDeps, id: string): Promise<RegisteredCertificate> {
  const certificate = await stored(deps, id);
  if (!certificate) throw new EnsuresecError('not_found', { detail: `No certificate ${id} is registered.` });
  return certificate;
}

const register = defineRoute('certificates', {
  method: 'POST',
  url: '/certificates',
  summary:
    'Register a scan certificate for public verification (its signature is checked with the given key)',
  access: 'write:admin',
  body: z.strictObject({
    jws: z
      .string()
      .min(1)
      .max(64 * 1024),
    publicKey: jwkSchema,
  }),
  response: { status: 201, schema: publicViewSchema },
  async handler({ body, principal, deps, reply }) {
    const publicKey = { ...body.publicKey, alg: 'EdDSA' } as JWK;
    // Throws certificate_invalid / certificate_expired: nothing unverified is published.
    const claims = await verifyCertificate(body.jws.trim(), publicKey, new Date(deps.clock.nowMs()));
    if (!CERTIFICATE_ID_PATTERN.test(claims.jti))
      throw new EnsuresecError('certificate_invalid', { detail: 'Its id (jti) is not a UUID.' });
    const certificate: RegisteredCertificate = {
      id: claims.jti,
      jws: body.jws.trim(),
      publicKey: {
        kty: 'OKP',
        crv: 'Ed25519',
        x: body.publicKey.x,
        ...(body.publicKey.kid ? { kid: body.publicKey.kid } : {}),
      },
      target: claims.target,
      mode: claims.mode,
      issuedAt: new Date(claims.iat * 1000).toISOString(),
      expiresAt: new Date(claims.exp * 1000).toISOString(),
      classes: claims.classes.map((c) => ({ class: c.class, result: c.result })),
      registeredAt: new Date(deps.clock.nowMs()).toISOString(),
      registeredBy: principal.user.id,
      revocation: null,
    };
    const written = await deps.ledger.commit({
      kind: 'certificate.registered',
      actor: principal.user.id,
      write: async (tx) => {
        const existing = await tx.kv.get<RegisteredCertificate>(certificateKey(certificate.id));
        if (existing) return undefined; // registered already: kept as it was (and its revocation)
        await tx.kv.set(certificateKey(certificate.id), certificate);
        await tx.kv.set(LATEST_CERTIFICATE_KEY, certificate.id);
        await indexCertificate(tx.kv, certificate);
        const keys = (await tx.kv.get<JWK[]>(CERTIFICATE_KEYS_KEY)) ?? [];
        if (!keys.some((k) => k.x === certificate.publicKey.x))
          await tx.kv.set(CERTIFICATE_KEYS_KEY, [
            ...keys,
            { ...certificate.publicKey, alg: 'EdDSA', use: 'sig' },
          ]);
        return certificate;
      },
    });
    void reply.status(written ? 201 : 200);
    return publicViewOf(written ?? (await found(deps, certificate.id)), new Date(deps.clock.nowMs()));
  },
});

const revoke = defineRoute('certificates', {
  method: 'POST',
  url: '/certificates/:id/revoke',
  summary: 'Revoke a registered certificate, with the reason (public verification then says revoked)',
  access: 'write:admin',
  params: idParams,
  body: z.strictObject({ reason: z.string().min(1).max(500) }),
  response: { schema: publicViewSchema },
  async handler({ params, body, principal, deps }) {
    const now = new Date(deps.clock.nowMs());
    const result = await revokeCertificate(
      deps.ledger,
      params.id,
      { reason: body.reason, revokedAt: now.toISOString(), revokedBy: principal.user.id },
      principal.user.id,
    );
    if (!result)
      throw new EnsuresecError('not_found', { detail: `No certificate ${params.id} is registered.` });
    return publicViewOf(result.certificate, now);
  },
});

const confirmFlaw = defineRoute('certificates', {
  method: 'POST',
  url: '/certificates/confirmed-flaws',
  summary:
    'Confirm an exploitable flaw monitoring found (an incident or alert): revokes the valid certificates of the origin that passed its class',
  access: 'write:admin',
  body: z.strictObject({
    origin: z
      .string()
      .max(2048)
      .regex(/^https?:\/\/[^/?#\s]+$/, 'an origin such as https://shop.example'),
    attackClass: z.enum(ATTACK_CLASSES),
    /** The incident or alert that shows the exploitation. */
    evidence: z.string().regex(/^(inc|alr)_[0-9A-HJKMNP-TV-Z]{26}$/, 'an incident (inc_) or alert (alr_) id'),
    reason: z.string().min(1).max(500),
  }),
  response: { schema: z.object({ revoked: z.array(publicViewSchema) }) },
  async handler({ body, principal, deps }) {
    const record = body.evidence.startsWith('inc_')
      ? await deps.store.incidents.get(body.evidence)
      : await deps.store.alerts.get(body.evidence);
    if (!record) throw new EnsuresecError('not_found', { detail: `${body.evidence} does not exist.` });
    const now = new Date(deps.clock.nowMs());
    const revoked = await revokeForConfirmedFlaw(
      deps,
      {
        origin: body.origin,
        attackClass: body.attackClass,
        reason: body.reason,
        evidence: `monitoring ${body.evidence}, confirmed by ${principal.user.id}`,
        observedAt: now.toISOString(),
      },
      principal.user.id,
    );
    return { revoked: revoked.map((certificate) => publicViewOf(certificate, now)) };
  },
});

const latest = defineRoute('certificates', {
  method: 'GET',
  url: '/certificates/latest',
  summary: 'The certificate registered last and its status now (valid, revoked, expired), or null',
  access: 'read',
  response: { schema: z.object({ certificate: publicViewSchema.nullable() }) },
  async handler({ deps }) {
    const id = await deps.store.kv.get<string>(LATEST_CERTIFICATE_KEY);
    const certificate = id === undefined || id === null ? undefined : await stored(deps, id);
    return { certificate: certificate ? publicViewOf(certificate, new Date(deps.clock.nowMs())) : null };
  },
});

const status = defineRoute('public', {
  method: 'GET',
  url: '/public/certificates/:id',
  summary: 'Public: a certificate’s status (valid, revoked, expired), what it states and its JWS',
  access: 'public',
  params: idParams,
  response: { schema: publicViewSchema },
  async handler({ params, deps, request, reply }) {
    limitPublic(deps, request, reply);
    return publicViewOf(await found(deps, params.id), new Date(deps.clock.nowMs()));
  },
});

const badge = defineRoute('public', {
  method: 'GET',
  url: '/public/certificates/:id/badge.svg',
  summary: 'Public: an SVG badge of the certificate’s status for the shop to embed',
  access: 'public',
  params: idParams,
  response: { contentType: 'image/svg+xml', description: 'The badge' },
  async handler({ params, deps, request, reply }) {
    const certificate = await lookUpPublic(deps, request, reply, params.id);
    return sendInertDocument(
      reply.header('cache-control', 'public, max-age=300'),
      'image/svg+xml; charset=utf-8',
      badgeSvg(certificate, new Date(deps.clock.nowMs())),
    );
  },
});

const page = defineRoute('public', {
  method: 'GET',
  url: '/public/certificates/:id/page',
  summary: 'Public: a small HTML page verifying the certificate, for people following the badge',
  access: 'public',
  params: idParams,
  response: { contentType: 'text/html', description: 'The verification page' },
  async handler({ params, deps, request, reply }) {
    const certificate = await lookUpPublic(deps, request, reply, params.id);
    return sendInertDocument(
      reply.code(certificate ? 200 : 404),
      'text/html; charset=utf-8',
      verificationPage(certificate, params.id, new Date(deps.clock.nowMs())),
    );
  },
});

/** The issuers' public keys (also at /.well-known/ensuresec/jwks.json). */
export async function certificateJwks(deps: ResolvedApiDeps): Promise<{ keys: JWK[] }> {
  return { keys: (await deps.store.kv.get<JWK[]>(CERTIFICATE_KEYS_KEY)) ?? [] };
}

const jwks = defineRoute('public', {
  method: 'GET',
  url: '/public/jwks.json',
  summary: 'Public: the public keys of the certificates registered here (JWKS)',
  access: 'public',
  response: { schema: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }) },
  async handler({ deps, request, reply }) {
    limitPublic(deps, request, reply);
    return certificateJwks(deps);
  },
});

export const certificateRoutes = [register, latest, revoke, confirmFlaw, status, badge, page, jwks];

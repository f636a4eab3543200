/**
 * The API's wire schemas shared by routes, the OpenAPI document and the typed client
 * (zod only, no server code, so the client can import the types without Fastify).
 */
import { z } from 'zod';
import { ERROR_CATALOGUE, type ErrorCode } from '../core/errors.js';
import { ROLES } from '../core/roles.js';

export const USER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const userName = z
  .string()
  .regex(USER_NAME_PATTERN, 'letters, digits, dot, dash or underscore; 1-64 characters');
export const role = z.enum(ROLES);
export const passwordInput = z.string().min(12, 'at least 12 characters').max(256);

/** `?limit=&cursor=` on every list; answers are `{ items, nextCursor }`. */
export const pageQueryShape = {
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z.string().min(1).max(1024).optional(),
};

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export function idParams(prefix: string) {
  return z.strictObject({
    id: z.string().regex(new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`), `must be a ${prefix}_ id`),
  });
}

export const publicUserSchema = z.object({
  id: z.string(),
  name: z.string(),
  role,
  totpEnabled: z.boolean(),
  mustChangePassword: z.boolean(),
  disabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type PublicUser = z.infer<typeof publicUserSchema>;

export const publicTokenSchema = z.object({
  id: z.string(),
  userId: z.string(),
  name: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});
export type PublicToken = z.infer<typeof publicTokenSchema>;

export const createdTokenSchema = z.object({
  /** Shown once; only its SHA-256 is stored. */
  token: z.string(),
  record: publicTokenSchema,
});
export type CreatedToken = z.infer<typeof createdTokenSchema>;

export const errorBodySchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(ERROR_CATALOGUE) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    detail: z.string().optional(),
    details: z.unknown().optional(),
    requestId: z.string().optional(),
  }),
});

export const statusSchema = z.object({
  version: z.string(),
  uptimeSeconds: z.number(),
  store: z.string(),
  counts: z.object({ events: z.number(), users: z.number() }),
  providers: z.record(z.string(), z.unknown()),
});
export type ApiStatus = z.infer<typeof statusSchema>;

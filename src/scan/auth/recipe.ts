/**
 * Login recipes for authenticated scanning (`ensuresec scan --login-recipe FILE`): a YAML or
 * JSON file saying how to log in (the login page, the fields, what success looks like) and
 * the test accounts to log in as; an account may instead bring a Cookie header or a bearer
 * token. Two accounts let the access-control checks try one account's resources with the
 * other's session. Passwords can come from the environment (`passwordEnv`), never logged.
 *
 * @example loadLoginRecipe('scan-login.yaml').accounts.map((a) => a.name) // ['alice', 'bob']
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { EnsuresecError } from '../../core/errors.js';

const accountSchema = z
  .object({
    name: z.string().min(1).max(64),
    username: z.string().min(1).max(254).optional(),
    password: z.string().max(1024).optional(),
    passwordEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      .optional(),
    cookie: z.string().min(1).max(8192).optional(),
    bearer: z.string().min(1).max(8192).optional(),
  })
  .strict()
  .refine(
    (a) =>
      Boolean(a.cookie) || Boolean(a.bearer) || (a.username && (a.password !== undefined || a.passwordEnv)),
    {
      message: 'an account needs username and password (or passwordEnv), or a cookie, or a bearer token',
    },
  );

const cardSchema = z
  .object({
    number: z.string().regex(/^\d{12,19}$/),
    expMonth: z.string().regex(/^\d{1,2}$/),
    expYear: z.string().regex(/^\d{4}$/),
    cvc: z.string().regex(/^\d{3,4}$/),
  })
  .strict();

const recipeSchema = z
  .object({
    login: z
      .object({
        url: z.string().min(1).max(2000),
        action: z.string().min(1).max(2000).optional(),
        type: z.enum(['form', 'json']).default('form'),
        fields: z.record(z.string().min(1).max(128), z.string().max(1024)),
        success: z
          .object({
            status: z.array(z.number().int().min(100).max(599)).min(1).optional(),
            cookie: z.string().min(1).max(128).optional(),
            bodyContains: z.string().min(1).max(500).optional(),
            bodyNotContains: z.string().min(1).max(500).optional(),
            locationNotContains: z.string().min(1).max(500).optional(),
          })
          .strict()
          .default({}),
      })
      .strict()
      .optional(),
    accounts: z.array(accountSchema).min(1).max(5),
    idor: z
      .object({ lists: z.array(z.string().min(1).max(2000)).min(1).max(20) })
      .strict()
      .optional(),
    checkout: z
      .object({
        /** A test card the shop's payment provider accepts: lets the scanner place orders (coupon replay). */
        card: cardSchema.optional(),
        /** Test cards the provider declines (payment rate limit: card testing). */
        declinedCards: z
          .array(z.string().regex(/^\d{12,19}$/))
          .min(1)
          .max(10)
          .optional(),
        /** Coupon codes to try replaying (the first) and stacking (all). */
        coupons: z.array(z.string().min(1).max(64)).min(1).max(5).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((r) => r.login !== undefined || r.accounts.every((a) => a.cookie || a.bearer), {
    message: 'accounts with a username need a login section',
  });

export type LoginRecipe = z.infer<typeof recipeSchema>;
export type RecipeAccount = LoginRecipe['accounts'][number];
export type RecipeCheckout = NonNullable<LoginRecipe['checkout']>;
export type RecipeCard = NonNullable<RecipeCheckout['card']>;

/** Parses and checks a recipe's text; throws `scan_recipe_invalid` naming every problem. */
export function parseLoginRecipe(text: string, source = 'login recipe'): LoginRecipe {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new EnsuresecError('scan_recipe_invalid', {
      detail: `${source}: not YAML or JSON: ${(error as Error).message}`,
    });
  }
  const parsed = recipeSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new EnsuresecError('scan_recipe_invalid', { detail: `${source}: ${problems.join('; ')}` });
  }
  return parsed.data;
}

export function loadLoginRecipe(path: string): LoginRecipe {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new EnsuresecError('scan_recipe_invalid', {
      detail: `${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    });
  }
  return parseLoginRecipe(text, path);
}

/** The account's password, from the file or the environment variable it names. */
export function passwordOf(account: RecipeAccount, env: NodeJS.ProcessEnv = process.env): string | null {
  if (account.password !== undefined) return account.password;
  if (account.passwordEnv) return env[account.passwordEnv] ?? null;
  return null;
}

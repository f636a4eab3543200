import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EnsuresecError } from '../../core/errors.js';
import cases from './fixtures/invalid-cases.json' with { type: 'json' };
import { loadLoginRecipe, parseLoginRecipe, passwordOf } from './recipe.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('login recipe', () => {
  it('reads the demo shop recipe: login form, two accounts, IDOR lists and checkout data', () => {
    const recipe = loadLoginRecipe(fixture('demo-shop.recipe.yaml'));
    expect(recipe.login?.type).toBe('form');
    expect(recipe.login?.success.status).toEqual([303]);
    expect(recipe.accounts.map((a) => a.name)).toEqual(['alice', 'bob']);
    expect(recipe.idor?.lists).toEqual(['/orders', '/api/orders']);
    expect(recipe.checkout?.coupons).toEqual(['WELCOME10', 'SPRING5']);
    expect(recipe.checkout?.declinedCards).toHaveLength(4);
  });

  it('reads the same recipe written as JSON', () => {
    const recipe = parseLoginRecipe(
      JSON.stringify({
        accounts: [
          { name: 'a', cookie: 'sid=1' },
          { name: 'b', bearer: 'tok' },
        ],
      }),
    );
    expect(recipe.accounts.map((a) => a.cookie ?? a.bearer)).toEqual(['sid=1', 'tok']);
  });

  it('takes a password from the environment variable the account names', () => {
    const recipe = parseLoginRecipe(
      'login: { url: /login, fields: { email: "{username}" } }\naccounts: [{ name: a, username: a@x.test, passwordEnv: SHOP_A_PASSWORD }]',
    );
    const account = recipe.accounts[0];
    if (!account) throw new Error('no account');
    expect(passwordOf(account, { SHOP_A_PASSWORD: 's3cret' })).toBe('s3cret');
    expect(passwordOf(account, {})).toBeNull();
  });

  for (const c of cases.cases) {
    it(`refuses ${c.file} with scan_recipe_invalid naming the problem`, () => {
      let error: unknown;
      try {
        loadLoginRecipe(fixture(`invalid/${c.file}`));
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(EnsuresecError);
      expect((error as EnsuresecError).code).toBe('scan_recipe_invalid');
      expect(String((error as EnsuresecError).detail)).toContain(c.detail);
    });
  }

  it('refuses a file that does not exist', () => {
    expect(() => loadLoginRecipe(fixture('missing.yaml'))).toThrow(/ENOENT/);
  });
});

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS, ROLES, roleAllows, type Permission } from '../core/roles.js';
import { apiRoutes } from './server.js';
import { openApiPath } from './openapi.js';
import { startHarness, type Harness } from './testing/harness.js';

interface BadRequestCase {
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  as?: 'nobody' | 'admin' | 'analyst';
  contentType?: string;
  payload?: string;
  body?: unknown;
  hugeBytes?: number;
  status: number;
  code: string;
}

type OpenApiDoc = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<
    string,
    Record<string, { security: unknown[]; 'x-ensuresec-access': string; responses: object }>
  >;
  components: { securitySchemes: object };
};

/** The reviewed access policy: a new route or a changed permission must be changed here too. */
const expectedAccess = JSON.parse(
  readFileSync(new URL('./fixtures/route-access.json', import.meta.url), 'utf8'),
) as Record<string, string>;

const badRequests = JSON.parse(
  readFileSync(new URL('./fixtures/bad-requests.json', import.meta.url), 'utf8'),
) as BadRequestCase[];

let h: Harness;
let doc: OpenApiDoc;
let operations: { method: string; path: string; access: string }[];

beforeAll(async () => {
  h = await startHarness();
  const response = await h.call('GET', '/api/v1/openapi.json', { token: h.tokens.viewer });
  expect(response.statusCode).toBe(200);
  doc = response.json() as OpenApiDoc;
  operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      access: op['x-ensuresec-access'],
    })),
  );
});
afterAll(async () => h.close());

/** A concrete URL for an OpenAPI path; placeholder ids fail validation, so nothing is changed. */
const concrete = (path: string) => path.replace(/\{[^}]+\}/g, 'x');

describe('openapi.json', () => {
  it('is an OpenAPI 3.1 document with both security schemes', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('0.0.0-test');
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['bearerToken', 'sessionCookie']);
  });

  it('lists every registered route, and only those', () => {
    const expected = apiRoutes('x')
      .map((route) => `${route.method} ${openApiPath(route.url)}`)
      .sort();
    expect(operations.map((op) => `${op.method} ${op.path}`).sort()).toEqual(expected);
    expect(operations.length).toBeGreaterThan(30);
    for (const op of operations) {
      expect(
        h.app.hasRoute({ method: op.method as 'GET', url: op.path.replace(/\{([^}]+)\}/g, ':$1') }),
      ).toBe(true);
    }
  });

  it('documents request bodies and typed responses from the zod schemas', () => {
    const post = doc.paths['/api/v1/decisions']?.['post'] as unknown as {
      requestBody: { content: { 'application/json': { schema: { properties: Record<string, unknown> } } } };
    };
    expect(Object.keys(post.requestBody.content['application/json'].schema.properties)).toContain('duration');
    expect(JSON.stringify(doc.paths['/api/v1/decisions/{id}'])).toContain('"in":"path"');
  });
});

describe('authentication', () => {
  it('is required on every route except login', async () => {
    for (const op of operations) {
      const response = await h.call(op.method as 'GET', concrete(op.path));
      // Public by design: certificate verification for anyone (src/api/routes/v1/certificates.ts).
      if (op.path.startsWith('/api/v1/public/')) {
        expect(op.access).toBe('public');
        continue;
      }
      if (op.path === '/api/v1/auth/login') {
        expect(op.access).toBe('public');
        expect(doc.paths[op.path]?.['post']?.security).toEqual([]);
        continue;
      }
      expect({
        route: `${op.method} ${op.path}`,
        status: response.statusCode,
        code: response.json().error?.code,
      }).toEqual({ route: `${op.method} ${op.path}`, status: 401, code: 'unauthenticated' });
    }
  });

  it('refuses an unknown bearer token on every route', async () => {
    const forged = 'ens_' + 'A'.repeat(43);
    for (const op of operations.filter((o) => o.access !== 'public')) {
      const response = await h.call(op.method as 'GET', concrete(op.path), { token: forged });
      expect(response.statusCode, `${op.method} ${op.path}`).toBe(401);
      expect(response.json().error.code).toBe('token_invalid');
    }
  });

  it('leaves health, readiness and metrics public', async () => {
    expect((await h.call('GET', '/healthz')).json()).toEqual({ status: 'ok', version: '0.0.0-test' });
    const ready = await h.call('GET', '/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ ready: true, checks: { store: true } });
    const metrics = await h.call('GET', '/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('ensuresec_http_requests_total');
    expect(metrics.body).toContain('ensuresec_http_request_duration_seconds_bucket');
    expect(metrics.body).toMatch(/route="\/api\/v1\/openapi\.json"/);
  });
});

describe('roles', () => {
  it('every route declares the access the reviewed policy gives it', () => {
    const declared = Object.fromEntries(
      operations.map((op) => [`${op.method} ${op.path.replace(/\{([^}]+)\}/g, ':$1')}`, op.access]),
    );
    expect(declared).toEqual(expectedAccess);
  });

  it('each role reaches exactly the routes its permissions allow', async () => {
    for (const op of operations.filter((o) => (PERMISSIONS as readonly string[]).includes(o.access))) {
      for (const role of ROLES) {
        const response = await h.call(op.method as 'GET', concrete(op.path), { token: h.tokens[role] });
        const code = response.statusCode >= 400 ? response.json().error.code : 'ok';
        const label = `${role} ${op.method} ${op.path}`;
        if (roleAllows(role, op.access as Permission)) {
          expect(code, label).not.toBe('forbidden');
          expect(response.statusCode, label).toBeLessThan(500);
        } else {
          expect({ label, status: response.statusCode, code }).toEqual({
            label,
            status: 403,
            code: 'forbidden',
          });
        }
      }
    }
  });
});

describe('bad requests', () => {
  it.each(badRequests.map((c) => [c.name, c] as const))(
    '%s answers 4xx with a stable code',
    async (_name, c) => {
      const headers: Record<string, string> = c.contentType ? { 'content-type': c.contentType } : {};
      const payload = c.hugeBytes ? JSON.stringify({ reason: 'x'.repeat(c.hugeBytes) }) : c.payload;
      const token = c.as === 'nobody' ? undefined : h.tokens[c.as ?? 'analyst'];
      const response = await h.call(c.method, c.url, {
        ...(token ? { token } : {}),
        headers,
        ...(c.body !== undefined ? { body: c.body } : {}),
        ...(payload !== undefined ? { payload } : {}),
      });
      const body = response.json() as { error: { code: string; message: string; requestId: string } };
      expect({ status: response.statusCode, code: body.error.code }).toEqual({
        status: c.status,
        code: c.code,
      });
      expect(body.error.requestId).toMatch(/^req_/);
      expect(response.headers['x-request-id']).toBe(body.error.requestId);
    },
  );

  it('lists validation issues with where they are', async () => {
    const response = await h.call('POST', '/api/v1/decisions', {
      token: h.tokens.analyst,
      body: { action: 'ban', scope: 'ip', value: 5 },
    });
    expect(response.json().error.details).toEqual([
      expect.objectContaining({ in: 'body', path: 'value', code: 'invalid_type' }),
    ]);
  });
});

describe('pagination', () => {
  it('walks every page with limit and cursor', async () => {
    for (let i = 0; i < 5; i++) {
      const response = await h.call('POST', '/api/v1/incidents', {
        token: h.tokens.analyst,
        body: { title: `case ${i}`, severity: 'low' },
      });
      expect(response.statusCode).toBe(201);
    }
    const titles: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/api/v1/incidents?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = (await h.call('GET', url, { token: h.tokens.viewer })).json() as {
        items: { title: string }[];
        nextCursor: string | null;
      };
      expect(page.items.length).toBeLessThanOrEqual(2);
      titles.push(...page.items.map((item) => item.title));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(titles).toEqual(['case 4', 'case 3', 'case 2', 'case 1', 'case 0']);
  });
});

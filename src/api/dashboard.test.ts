/** Serving the dashboard build: types, caching, no way out of the folder, and a clear page without a build. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { installDashboard } from './dashboard.js';

const dir = mkdtempSync(join(tmpdir(), 'ensuresec-dashboard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function appWith(buildDir: string) {
  const app = Fastify();
  installDashboard(app, buildDir);
  return app;
}

describe('installDashboard', () => {
  it('serves index.html uncached and hashed assets immutable, with their types', async () => {
    const build = join(dir, 'build');
    mkdirSync(join(build, 'assets'), { recursive: true });
    writeFileSync(join(build, 'index.html'), '<!doctype html><script src="/assets/index-abc.js"></script>');
    writeFileSync(join(build, 'assets', 'index-abc.js'), 'console.log(1)');
    writeFileSync(join(build, 'assets', 'index-abc.css'), 'body{}');
    writeFileSync(join(dir, 'secret.txt'), 'no');
    const app = appWith(build);
    const index = await app.inject({ url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.headers['content-security-policy']).toContain("default-src 'self'");
    const js = await app.inject({ url: '/assets/index-abc.js' });
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const css = await app.inject({ url: '/assets/index-abc.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await app.inject({ url: '/assets/missing.js' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/assets/..%2F..%2Fsecret.txt' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/assets/../secret.txt' })).statusCode).toBe(404);
    await app.close();
  });

  it('answers a page saying how to build it when there is no build', async () => {
    const app = appWith(join(dir, 'nothing-here'));
    const page = await app.inject({ url: '/' });
    expect(page.statusCode).toBe(503);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('npm run build');
    expect((await app.inject({ url: '/assets/index.js' })).statusCode).toBe(404);
    await app.close();
  });
});

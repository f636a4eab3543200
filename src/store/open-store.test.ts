/** Opening a store: clear errors for unusable paths, unreachable servers and bad settings. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnsuresecError } from '../core/errors.js';
import { openStore } from './index.js';
import type { StoreConfig } from './store.js';

async function openError(config: StoreConfig): Promise<EnsuresecError> {
  const error = await openStore(config).then(
    async (store) => {
      await store.close();
      return undefined;
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(EnsuresecError);
  return error as EnsuresecError;
}

describe('openStore', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ensuresec-open-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the missing data directory and does not migrate by itself', async () => {
    const path = join(dir, 'a', 'b', 'ensuresec.db');
    const store = await openStore({ dialect: 'sqlite', path });
    try {
      expect(store.description).toBe(`sqlite ${path}`);
      const raw = new Database(path, { readonly: true });
      const tables = raw.prepare("select name from sqlite_master where type = 'table'").all();
      const journal = raw.pragma('journal_mode', { simple: true });
      raw.close();
      expect(tables).toEqual([]);
      expect(journal).toBe('wal');
    } finally {
      await store.close();
    }
  });

  it('answers data_dir_unwritable when the folder cannot be created', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a folder');
    const error = await openError({ dialect: 'sqlite', path: join(blocker, 'ensuresec.db') });
    expect(error.code).toBe('data_dir_unwritable');
    expect(error.detail).toContain(blocker);
  });

  it.runIf(existsSync('/proc/self'))(
    'answers data_dir_unwritable, not a hang, where folders cannot exist',
    async () => {
      expect((await openError({ dialect: 'sqlite', path: '/proc/ensuresec-test/ensuresec.db' })).code).toBe(
        'data_dir_unwritable',
      );
    },
  );

  it('answers data_dir_unwritable when the path is a folder', async () => {
    expect((await openError({ dialect: 'sqlite', path: dir })).code).toBe('data_dir_unwritable');
  });

  it('refuses to migrate a database upgraded by a newer version', async () => {
    const path = join(dir, 'newer.db');
    const store = await openStore({ dialect: 'sqlite', path });
    await store.migrate();
    const raw = new Database(path);
    raw
      .prepare("insert into ensuresec_migrations (name, applied_at) values ('999-future', '2030-01-01')")
      .run();
    raw.close();
    await expect(store.migrate()).rejects.toMatchObject({ code: 'store_migration_failed' });
    await store.close();
  });

  it('rejects an unknown dialect and bad PostgreSQL settings with config_invalid', async () => {
    const unknown = { dialect: 'mysql', path: 'x' } as unknown as StoreConfig;
    expect((await openError(unknown)).code).toBe('config_invalid');
    const badSchema: StoreConfig = {
      dialect: 'postgres',
      connectionString: 'postgres://x@127.0.0.1/db',
      schema: 'a; drop',
    };
    expect((await openError(badSchema)).code).toBe('config_invalid');
    const badPool: StoreConfig = {
      dialect: 'postgres',
      connectionString: 'postgres://x@127.0.0.1/db',
      maxConnections: 0,
    };
    expect((await openError(badPool)).code).toBe('config_invalid');
  });
});

describe('openStore on an unreachable PostgreSQL', () => {
  let silent: Server;
  let port: number;
  beforeAll(async () => {
    // Accepts and immediately closes connections: a server that is there but not PostgreSQL.
    silent = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => silent.close(() => resolve())));

  it('answers not_ready without the password', async () => {
    const connectionString = `postgres://ensuresec:s3cret-hunter2@127.0.0.1:${port}/ensuresec`;
    const error = await openError({ dialect: 'postgres', connectionString });
    expect(error.code).toBe('not_ready');
    expect(error.message).not.toContain('s3cret-hunter2');
    expect(error.message).toContain(`127.0.0.1:${port}`);
  });
});

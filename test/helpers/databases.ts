import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, type Database } from '../../src/stores/database.js';
import { createPostgresDatabase, TEST_DATABASE_URL } from './backends.js';

/** The user-store implementations under test: PGlite always, PostgreSQL when configured. */
export const databaseKinds: Array<'pglite' | 'postgresql'> = ['pglite', ...(TEST_DATABASE_URL ? (['postgresql'] as const) : [])];

/** A fresh, empty database of the given kind (not migrated); `dispose` closes and removes it. */
export async function freshDatabase(kind: 'pglite' | 'postgresql'): Promise<{ db: Database; url?: string; dispose(): Promise<void> }> {
  if (kind === 'postgresql') {
    const pg = await createPostgresDatabase(TEST_DATABASE_URL!);
    const db = createDatabase({ databaseUrl: pg.url, dataDir: '' });
    return { db, url: pg.url, dispose: async () => { await db.close(); await pg.drop(); } };
  }
  const dir = mkdtempSync(join(tmpdir(), 'identity-db-'));
  const db = createDatabase({ databaseUrl: undefined, dataDir: dir });
  return { db, dispose: async () => { await db.close(); rmSync(dir, { recursive: true, force: true }); } };
}

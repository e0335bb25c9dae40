import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../paths.js';
import type { Database, SqlConnection } from './database.js';

/** The lock key `prisma migrate` itself takes, so our runner and Prisma's exclude each other. */
const PRISMA_ADVISORY_LOCK = 72707369;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface Migration {
  name: string;
  sql: string;
  /** SHA-256 of the file, hex: the checksum Prisma records. */
  checksum: string;
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export const DEFAULT_MIGRATIONS_DIR = join(PROJECT_ROOT, 'prisma', 'migrations');

/** Reads `prisma/migrations/<name>/migration.sql` in name order, as Prisma does. */
export async function readMigrations(dir = DEFAULT_MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/**
 * Applies the migrations not yet recorded in `_prisma_migrations`, each in its own transaction,
 * while holding Prisma's advisory lock so that instances booting together apply each once.
 * Rows are written with Prisma's columns so `prisma migrate status` / `deploy` agree later.
 * Returns the names applied now.
 */
export async function applyMigrations(db: Database, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? (await readMigrations());
  return db.withConnection(async (conn) => {
    await conn.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK]);
    try {
      await conn.exec(CREATE_TABLE);
      const applied = await conn.query<AppliedRow>(
        'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"',
      );
      const pending = selectPending(all, applied);
      for (const migration of pending) await applyOne(conn, migration);
      return pending.map((m) => m.name);
    } finally {
      await conn.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK]);
    }
  });
}

function selectPending(all: Migration[], applied: AppliedRow[]): Migration[] {
  const failed = applied.find((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed) {
    throw new MigrationError(`migration ${failed.migration_name} failed earlier and was not rolled back; resolve it first (prisma migrate resolve)`);
  }
  const done = new Map(applied.filter((r) => r.finished_at !== null).map((r) => [r.migration_name, r.checksum]));
  for (const m of all) {
    const checksum = done.get(m.name);
    if (checksum !== undefined && checksum !== m.checksum) {
      throw new MigrationError(`migration ${m.name} was modified after it was applied (checksum differs)`);
    }
  }
  return all.filter((m) => !done.has(m.name));
}

async function applyOne(conn: SqlConnection, migration: Migration): Promise<void> {
  await conn.exec('BEGIN');
  try {
    await conn.exec(migration.sql);
    await conn.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
       VALUES ($1, $2, now(), $3, now(), 1)`,
      [randomUUID(), migration.checksum, migration.name],
    );
    await conn.exec('COMMIT');
  } catch (error) {
    await conn.exec('ROLLBACK').catch(() => {});
    throw new MigrationError(`migration ${migration.name} failed: ${(error as Error).message}`);
  }
}

import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/stores/database.js';
import { applyMigrations, readMigrations } from '../../src/stores/migrations.js';
import { databaseKinds, freshDatabase } from '../helpers/databases.js';

describe.each(databaseKinds)('migration runner on %s', (kind) => {
  const disposers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const d of disposers.splice(0)) await d();
  });

  it('applies every migration once and records it as Prisma does', async () => {
    const { db, dispose } = await freshDatabase(kind);
    disposers.push(dispose);
    const migrations = await readMigrations();
    expect(await applyMigrations(db)).toEqual(migrations.map((m) => m.name));
    expect(await applyMigrations(db)).toEqual([]);
    const rows = await db.withConnection((c) =>
      c.query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
        'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
      ),
    );
    expect(rows.map((r) => r.migration_name)).toEqual(migrations.map((m) => m.name));
    for (const [i, row] of rows.entries()) {
      const sql = migrations[i]!.sql;
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).not.toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it('rolls back a failing migration whole and records nothing for it', async () => {
    const { db, dispose } = await freshDatabase(kind);
    disposers.push(dispose);
    const broken = [
      ...(await readMigrations()),
      { name: '29990101000000_broken', sql: 'CREATE TABLE "Half" (id int);\nSELECT * FROM no_such_table;', checksum: 'x'.repeat(64) },
    ];
    await expect(applyMigrations(db, broken)).rejects.toThrow(/29990101000000_broken failed/);
    const half = await db.withConnection((c) => c.query(`SELECT to_regclass('"Half"') AS t`));
    expect(half[0]!.t).toBeNull();
    const names = await db.withConnection((c) => c.query<{ migration_name: string }>('SELECT migration_name FROM "_prisma_migrations"'));
    expect(names.map((n) => n.migration_name)).not.toContain('29990101000000_broken');
  });

  it('refuses to run when an applied migration was edited afterwards', async () => {
    const { db, dispose } = await freshDatabase(kind);
    disposers.push(dispose);
    const migrations = await readMigrations();
    await applyMigrations(db, migrations);
    const edited = migrations.map((m, i) => (i === 0 ? { ...m, checksum: 'f'.repeat(64) } : m));
    await expect(applyMigrations(db, edited)).rejects.toThrow(/was modified after it was applied/);
  });

  it.runIf(kind === 'postgresql')('lets two instances boot at once: each migration applied exactly once', async () => {
    const { url, dispose } = await freshDatabase(kind);
    disposers.push(dispose);
    const a = createDatabase({ databaseUrl: url, dataDir: '' });
    const b = createDatabase({ databaseUrl: url, dataDir: '' });
    try {
      const [ra, rb] = await Promise.all([applyMigrations(a), applyMigrations(b)]);
      const all = await readMigrations();
      expect([...ra, ...rb].sort()).toEqual(all.map((m) => m.name).sort());
      const count = await a.withConnection((c) => c.query<{ n: string }>('SELECT count(*) AS n FROM "_prisma_migrations"'));
      expect(Number(count[0]!.n)).toBe(all.length);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('readMigrations', () => {
  it('reads migration directories in name order, as Prisma does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
    for (const name of ['20260102000000_b', '20260101000000_a']) {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'migration.sql'), `-- ${name}\n`);
    }
    writeFileSync(join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');
    expect((await readMigrations(dir)).map((m) => m.name)).toEqual(['20260101000000_a', '20260102000000_b']);
  });
});

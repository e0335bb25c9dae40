import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/stores/database.js';
import { applyMigrations } from '../../src/stores/migrations.js';
import { databaseKinds, freshDatabase } from '../helpers/databases.js';
import { expectedFromPrismaSchema, type ExpectedSchema } from '../helpers/prisma-schema.js';

/** Reads the live catalogue in the same shape as expectedFromPrismaSchema. */
async function actualSchema(db: Database): Promise<ExpectedSchema> {
  return db.withConnection(async (c) => {
    const columns = await c.query<{ table_name: string; column_name: string; type: string; is_nullable: string }>(
      `SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type,
              CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END AS is_nullable
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
          AND c.relname <> '_prisma_migrations'`,
    );
    const indexes = await c.query<{ index_name: string; table_name: string; is_unique: boolean; cols: string }>(
      `SELECT i.relname AS index_name, t.relname AS table_name, ix.indisunique AS is_unique,
              (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS cols
         FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'`,
    );
    const result: ExpectedSchema = { tables: {}, indexes: {} };
    for (const col of columns) {
      (result.tables[col.table_name] ??= {})[col.column_name] = `${col.type} ${col.is_nullable === 'YES' ? 'NULL' : 'NOT NULL'}`;
    }
    for (const ix of indexes) result.indexes[ix.index_name] = `${ix.is_unique ? 'UNIQUE' : 'INDEX'} ${ix.table_name}(${ix.cols})`;
    return result;
  });
}

describe.each(databaseKinds)('schema.prisma and prisma/migrations agree (%s)', (kind) => {
  let db: Database;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ db, dispose } = await freshDatabase(kind));
    await applyMigrations(db);
  });
  afterAll(async () => dispose());

  it('has the same tables, columns, types and nullability', async () => {
    expect((await actualSchema(db)).tables).toEqual(expectedFromPrismaSchema().tables);
  });

  it('has the same unique and plain indexes', async () => {
    expect((await actualSchema(db)).indexes).toEqual(expectedFromPrismaSchema().indexes);
  });

  it('serves the generated Prisma client: every model can be queried', async () => {
    const p = db.prisma;
    await expect(Promise.all([p.user.count(), p.signingKey.count(), p.refreshFamily.count(), p.refreshToken.count(), p.revocation.count()])).resolves.toEqual([0, 0, 0, 0, 0]);
  });
});

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../generated/prisma/client.js';

/**
 * The few raw-SQL operations the service needs beside Prisma: the migration runner and the
 * readiness probe. `withConnection` pins one connection, which PostgreSQL advisory locks require.
 */
export interface SqlConnection {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script of several statements (simple query protocol). */
  exec(script: string): Promise<void>;
}

export interface Database {
  readonly prisma: PrismaClient;
  readonly kind: 'postgresql' | 'pglite';
  withConnection<T>(fn: (conn: SqlConnection) => Promise<T>): Promise<T>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  /** Bound on connecting and on each statement, so a dead database gives an error, not a hang. */
  timeoutMs?: number;
  /**
   * Called with the SQL of every statement Prisma runs (its `query` log events), for tools that
   * count database reads and writes (`npm run compare`). Off unless given: no cost in the service.
   */
  onQuery?: (sql: string) => void;
}

export function createDatabase(options: DatabaseOptions): Database {
  return options.databaseUrl
    ? createPostgres(options.databaseUrl, options.timeoutMs ?? 5_000, options.onQuery)
    : createPglite(options.dataDir, options.onQuery);
}

type QueryHook = DatabaseOptions['onQuery'];

/** A Prisma client on a driver adapter; with a hook, every statement is reported to it. */
function prismaClient(adapter: PrismaPg | PrismaPGlite, onQuery: QueryHook): PrismaClient {
  if (!onQuery) return new PrismaClient({ adapter });
  const client = new PrismaClient({ adapter, log: [{ emit: 'event' as const, level: 'query' as const }] });
  client.$on('query', (event: { query: string }) => onQuery(event.query));
  return client as unknown as PrismaClient;
}

function createPostgres(url: string, timeoutMs: number, onQuery: QueryHook): Database {
  const pool = new pg.Pool({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs * 2,
    max: 10,
  });
  // A pool error (the server went away under an idle client) must not crash the process;
  // the next query reports it and the pool reconnects by itself.
  pool.on('error', () => {});
  const prisma = prismaClient(new PrismaPg(pool, { onPoolError: () => {} }), onQuery);
  const wrap = (client: pg.PoolClient | pg.Pool): SqlConnection => ({
    query: async <T,>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[],
    exec: async (script: string) => void (await client.query(script)),
  });
  return {
    prisma,
    kind: 'postgresql',
    async withConnection(fn) {
      const client = await pool.connect();
      try {
        return await fn(wrap(client));
      } finally {
        client.release();
      }
    },
    ping: async () => void (await pool.query('SELECT 1')),
    async close() {
      await prisma.$disconnect();
      await pool.end().catch(() => {});
    },
  };
}

function createPglite(dataDir: string, onQuery: QueryHook): Database {
  const dir = join(dataDir, 'pglite');
  mkdirSync(dir, { recursive: true });
  const client = new PGlite(dir);
  const prisma = prismaClient(new PrismaPGlite(client), onQuery);
  // PGlite is one connection in this process: queries are already serialised.
  const conn: SqlConnection = {
    query: async <T,>(sql: string, params?: unknown[]) => (await client.query<T>(sql, params)).rows,
    exec: async (script: string) => void (await client.exec(script)),
  };
  return {
    prisma,
    kind: 'pglite',
    withConnection: (fn) => fn(conn),
    ping: async () => void (await client.query('SELECT 1')),
    async close() {
      await prisma.$disconnect();
      if (!client.closed) await client.close();
    },
  };
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express } from 'express';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { createPasswordHasher } from './auth/passwords.js';
import type { AuthStrategy, HttpExchange, StrategyDeps } from './auth/strategy.js';
import { createStrategy } from './auth/create-strategy.js';
import { dependencyUnavailable } from './errors.js';
import { createApolloServer } from './graphql/apollo.js';
import { createContext } from './graphql/context.js';
import { createOpsRouter } from './http/health.js';
import { createMetrics, type Metrics } from './http/metrics.js';
import { createHttpPipeline, graphqlErrorResponse, installErrorHandlers } from './http/pipeline.js';
import { createLogger, type Logger } from './logger.js';
import { createAuthService } from './services/auth-service.js';
import { createDatabase, type Database } from './stores/database.js';
import { applyMigrations } from './stores/migrations.js';
import { MemoryStateStore } from './stores/memory-state-store.js';
import { RedisStateStore } from './stores/redis-state-store.js';
import type { StateStore } from './stores/state-store.js';
import { createUserStore } from './stores/user-store.js';

/** Replacements for tests and tools: a frozen clock, a shared store, a silent logger. */
export interface AppOverrides {
  clock?: Clock;
  logger?: Logger;
  database?: Database;
  /** A state store to share with another app in the same process (two "instances"). */
  stateStore?: StateStore;
}

export interface RunningApp {
  readonly app: Express;
  readonly server: Server;
  readonly config: Config;
  readonly database: Database;
  readonly stateStore: StateStore;
  readonly strategy: AuthStrategy;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Binds the HTTP server; resolves with its URL. The database may still be coming up. */
  start(): Promise<string>;
  /** Resolves once migrations are applied and the strategy has loaded its state. */
  ready(): Promise<void>;
  /** Stops accepting, finishes in-flight requests, closes the database and the state store. */
  stop(): Promise<void>;
}

const BOOT_RETRY_MAX_MS = 5_000;

/**
 * The composition root: config → stores → strategy → services → Apollo → Express. The only
 * place that builds concrete adapters.
 */
export function createApp(config: Config, overrides: AppOverrides = {}): RunningApp {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics();
  const database =
    overrides.database ?? createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const ownsDatabase = !overrides.database;
  const redisStore = !overrides.stateStore && config.redisUrl
    ? new RedisStateStore({
        url: config.redisUrl,
        timeoutMs: config.stateStoreTimeoutMs,
        keyPrefix: config.redisKeyPrefix,
        onError: (error) => logger.warn({ err: { message: error.message } }, 'redis connection error'),
      })
    : undefined;
  const stateStore = overrides.stateStore ?? redisStore ?? new MemoryStateStore(clock);
  const ownsStateStore = !overrides.stateStore;
  const users = createUserStore(database.prisma);
  const deps: StrategyDeps = { config, clock, prisma: database.prisma, stateStore, redis: redisStore?.client, users, logger };
  const strategy = createStrategy(deps);
  const auth = createAuthService({ users, hasher: createPasswordHasher(config.argon2), strategy, clock });

  const app = express();
  const server = createServer({ maxHeaderSize: 128 * 1024, requestTimeout: 30_000, headersTimeout: 20_000 }, app);
  server.keepAliveTimeout = 5_000;
  const apollo = createApolloServer({ production: config.production, httpServer: server, logger, metrics });

  let booted = false;
  let stopping = false;
  let bootTimer: NodeJS.Timeout | undefined;
  let resolveReady!: () => void;
  const readyPromise = new Promise<void>((resolve) => (resolveReady = resolve));

  /** Migrations and the strategy's state need the database; retried until it answers. */
  async function boot(attempt = 0): Promise<void> {
    try {
      const applied = await applyMigrations(database);
      if (applied.length) logger.info({ migrations: applied }, 'migrations applied');
      await strategy.start();
      booted = true;
      resolveReady();
      logger.info({ mode: config.mode }, 'ready');
    } catch (error) {
      if (stopping) return;
      const delay = Math.min(250 * 2 ** attempt, BOOT_RETRY_MAX_MS);
      logger.error({ err: { message: (error as Error).message }, retryInMs: delay }, 'database not ready; retrying');
      bootTimer = setTimeout(() => void boot(attempt + 1), delay);
    }
  }

  createHttpPipeline(app, config, logger, metrics);
  app.use(createOpsRouter(
    [
      { name: 'database', check: async () => { await database.ping(); if (!booted) throw new Error('migrations pending'); } },
      { name: 'stateStore', check: () => stateStore.ping() },
      ...(strategy.readiness ? [{ name: 'strategy', check: async () => { const why = await strategy.readiness!(); if (why) throw new Error(why); } }] : []),
    ],
    metrics,
    config.stateStoreTimeoutMs * 2,
  ));
  if (strategy.router) app.use(strategy.router);

  async function start(): Promise<string> {
    redisStore?.connect();
    if (!overrides.stateStore && !config.redisUrl) {
      logger.warn('REDIS_URL is not set: sessions, revocation notices and rate limits live in this process; run one instance only');
    }
    await apollo.start();
    app.use('/graphql', (req, res, next) => {
      // Until the database is migrated and the strategy loaded, GraphQL answers a clear 503.
      if (booted || req.method === 'GET') return next();
      graphqlErrorResponse(res, dependencyUnavailable('database'));
    });
    app.use('/graphql', ...strategy.middleware, expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const http: HttpExchange = { req, res, client: { ip: req.ip ?? null, userAgent: req.get('user-agent')?.slice(0, 512) ?? null } };
        return createContext(http, auth, strategy);
      },
    }));
    installErrorHandlers(app, logger);
    void boot();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    logger.info({ host: config.host, port, mode: config.mode, database: database.kind, stateStore: stateStore.kind }, 'listening');
    return `http://${config.host}:${port}`;
  }

  async function stop(): Promise<void> {
    stopping = true;
    clearTimeout(bootTimer);
    // Apollo's drain plugin closes the server: no new connections, in-flight requests finish.
    await apollo.stop().catch((error) => logger.error({ err: error }, 'apollo stop failed'));
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    await strategy.stop().catch((error) => logger.error({ err: error }, 'strategy stop failed'));
    if (ownsStateStore) await stateStore.close().catch(() => {});
    if (ownsDatabase) await database.close().catch(() => {});
  }

  return { app, server, config, database, stateStore, strategy, metrics, logger, start, ready: () => readyPromise, stop };
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express } from 'express';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { createPasswordHasher, type PasswordHasher } from './auth/passwords.js';
import type { AuthStrategy, HttpExchange, StrategyDeps } from './auth/strategy.js';
import { createStrategy } from './auth/create-strategy.js';
import { createBoot } from './boot.js';
import { createThrottles } from './abuse/create-throttles.js';
import { createAuditLog, type AuditLog } from './audit/audit-log.js';
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
  /** Called when the boot fails for a reason retrying cannot mend (main.ts exits with 1). */
  onFatal?: (error: unknown) => void;
  /** A password hasher to observe or replace (tests count argon2 verifications with it). */
  hasher?: PasswordHasher;
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
  /** The audit trail; `flush()` writes queued events at once (tests). */
  readonly audit: AuditLog;
  /** Binds the HTTP server; resolves with its URL. The database may still be coming up. */
  start(): Promise<string>;
  /** Resolves once migrations are applied and the strategy has loaded its state; rejects on a fatal boot error. */
  ready(): Promise<void>;
  /** Stops accepting, finishes in-flight requests, closes the database and the state store. */
  stop(): Promise<void>;
}

/** How long a request that arrives during boot waits for it before getting a 503. */
const BOOT_WAIT_MS = 5_000;

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
  const audit = createAuditLog({
    prisma: database.prisma,
    clock,
    logger,
    retentionMs: config.auditRetentionMs,
    onEvent: (event) => metrics.authEvents.inc({ event: event.type, outcome: event.outcome }),
  });
  const throttles = createThrottles({ config, redis: redisStore?.client, stateStore, logger });
  const hasher = overrides.hasher ?? createPasswordHasher(config.argon2);
  const auth = createAuthService({ users, hasher, strategy, clock, throttles, audit });

  const app = express();
  const server = createServer(
    {
      maxHeaderSize: 128 * 1024,
      // A request must arrive in full within REQUEST_TIMEOUT (slow-loris); Node checks for
      // overdue ones every connectionsCheckingInterval, 30 s by default, so check more often.
      requestTimeout: config.requestTimeoutMs,
      headersTimeout: Math.min(20_000, config.requestTimeoutMs),
      connectionsCheckingInterval: Math.min(1_000, config.requestTimeoutMs),
    },
    app,
  );
  server.keepAliveTimeout = 5_000;
  const apollo = createApolloServer({ production: config.production, httpServer: server, logger, metrics });

  const boot = createBoot(
    async () => {
      const applied = await applyMigrations(database);
      if (applied.length) logger.info({ migrations: applied }, 'migrations applied');
      await strategy.start();
      audit.start();
      logger.info({ mode: config.mode }, 'ready');
    },
    logger,
    overrides.onFatal,
  );

  createHttpPipeline(app, config, logger, metrics);
  app.use(createOpsRouter(
    [
      { name: 'database', check: async () => { await database.ping(); if (!boot.done) throw new Error('migrations pending'); } },
      // Named for what an operator must look at: 'redis', or the in-process store.
      { name: stateStore.kind === 'redis' ? 'redis' : 'stateStore', check: () => stateStore.ping() },
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
    app.use('/graphql', async (req, res, next) => {
      // A request that arrives while the service is still migrating and loading keys waits
      // for that (a first boot takes a few seconds); past BOOT_WAIT_MS it gets a clear 503.
      if (boot.done || req.method === 'GET' || (await boot.waitFor(BOOT_WAIT_MS))) return next();
      graphqlErrorResponse(res, dependencyUnavailable('database'));
    });
    app.use('/graphql', ...strategy.middleware, expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const http: HttpExchange = { req, res, client: { ip: req.ip ?? null, userAgent: req.get('user-agent')?.slice(0, 512) ?? null } };
        return createContext(http, auth, strategy);
      },
    }));
    installErrorHandlers(app, logger);
    boot.run();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    logger.info({ host: config.host, port, mode: config.mode, database: database.kind, stateStore: stateStore.kind }, 'listening');
    return `http://${config.host}:${port}`;
  }

  async function stop(): Promise<void> {
    boot.stop();
    // Apollo's drain plugin closes the server: no new connections, in-flight requests finish.
    await apollo.stop().catch((error) => logger.error({ err: error }, 'apollo stop failed'));
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    await strategy.stop().catch((error) => logger.error({ err: error }, 'strategy stop failed'));
    // In-flight requests are done: what they recorded reaches the database before it closes.
    await audit.stop().catch((error) => logger.error({ err: error }, 'audit flush failed'));
    if (ownsStateStore) await stateStore.close().catch(() => {});
    if (ownsDatabase) await database.close().catch(() => {});
  }

  return { app, server, config, database, stateStore, strategy, metrics, logger, audit, start, ready: boot.ready, stop };
}

import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Logger } from '../logger.js';

export type AuthEventType =
  | 'register'
  | 'login'
  | 'refresh'
  | 'reuse_detected'
  | 'revoke'
  | 'logout'
  | 'password_change'
  | 'rate_limited';

/** What the auth service reports; never a secret (no token, password, hash or cookie). */
export interface AuthEventInput {
  type: AuthEventType;
  outcome: 'success' | 'failure';
  reason?: string | null;
  userId?: string | null;
  sessionId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
}

/** One stored event, as `authEvents` shows it. */
export interface AuthEventRecord {
  id: string;
  type: string;
  outcome: string;
  reason: string | null;
  sessionId: string | null;
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
}

export interface AuditLog {
  /** Queues an event; it reaches the database within FLUSH_MS (or at once past BATCH_SIZE). */
  record(event: AuthEventInput): void;
  /** Writes everything queued so far; resolves once it is stored (tests, shutdown). */
  flush(): Promise<void>;
  /** A user's own events, newest first. */
  listForUser(userId: string, first: number): Promise<AuthEventRecord[]>;
  /** Deletes events older than the retention; answers how many. */
  prune(): Promise<number>;
  /** Starts the periodic prune (after migrations). */
  start(): void;
  /** Stops the timers and writes what is still queued. */
  stop(): Promise<void>;
}

export interface AuditLogDeps {
  prisma: PrismaClient;
  clock: Clock;
  logger: Logger;
  retentionMs: number;
  /** Counts each event as it is recorded (`auth_events_total`). */
  onEvent?: (event: AuthEventInput) => void;
}

/** Small batches often: one INSERT per 100 ms or 100 events, off the request's path. */
const FLUSH_MS = 100;
const BATCH_SIZE = 100;
/** While the database is down, events wait up to this many; older ones are dropped (logged). */
const MAX_QUEUED = 10_000;
const RETRY_MS = 1_000;
const PRUNE_EVERY_MS = 60 * 60_000;

const select = { id: true, type: true, outcome: true, reason: true, sessionId: true, ip: true, userAgent: true, createdAt: true } as const;

export function createAuditLog({ prisma, clock, logger, retentionMs, onEvent }: AuditLogDeps): AuditLog {
  let queue: Array<AuthEventInput & { id: string; createdAt: Date }> = [];
  let timer: NodeJS.Timeout | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let stopped = false;
  let lastAt = 0;

  const schedule = (ms: number) => {
    if (stopped) return;
    timer ??= setTimeout(() => {
      timer = undefined;
      void flush();
    }, ms).unref();
  };

  async function writeBatch(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, BATCH_SIZE);
      try {
        await prisma.authEvent.createMany({ data: batch });
      } catch (error) {
        const kept = batch.concat(queue).slice(-MAX_QUEUED);
        const dropped = batch.length + queue.length - kept.length;
        queue = kept;
        logger.error({ err: { message: (error as Error).message }, queued: queue.length, dropped }, 'audit events not written; retrying');
        schedule(RETRY_MS);
        return;
      }
    }
  }

  /** Writes are chained, so a flush resolves only after every earlier write finished. */
  function flush(): Promise<void> {
    writing = writing.then(writeBatch);
    return writing;
  }

  async function prune(): Promise<number> {
    const cutoff = new Date(clock.now() - retentionMs);
    const { count } = await prisma.authEvent.deleteMany({ where: { createdAt: { lt: cutoff } } });
    return count;
  }

  const pruneLogged = () =>
    prune().then(
      (count) => void (count > 0 && logger.info({ count }, 'pruned old audit events')),
      (error) => logger.warn({ err: { message: (error as Error).message } }, 'audit prune failed'),
    );

  return {
    record(event) {
      // Strictly increasing per process, so "newest first" keeps the order events happened in.
      lastAt = Math.max(clock.now(), lastAt + 1);
      queue.push({ ...event, id: randomUUID(), createdAt: new Date(lastAt) });
      onEvent?.(event);
      if (queue.length >= BATCH_SIZE) void flush();
      else schedule(FLUSH_MS);
    },
    flush,
    async listForUser(userId, first) {
      if (first === 0) return [];
      await flush();
      return prisma.authEvent.findMany({ where: { userId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: first, select });
    },
    prune,
    start() {
      void pruneLogged();
      pruneTimer = setInterval(pruneLogged, Math.min(PRUNE_EVERY_MS, retentionMs)).unref();
    },
    async stop() {
      stopped = true;
      clearInterval(pruneTimer);
      clearTimeout(timer);
      timer = undefined;
      await flush();
    },
  };
}

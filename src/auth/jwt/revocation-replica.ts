import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import { dependencyUnavailable, unauthenticated } from '../../errors.js';
import type { PrismaClient } from '../../generated/prisma/client.js';
import type { Logger } from '../../logger.js';
import type { StateStore } from '../../stores/state-store.js';
import type { AccessClaims } from './access-tokens.js';
import { parseNotices } from './notices.js';
import { settleWithin } from './settle.js';
import { revocationLifetimeMs } from './revocations.js';

export const REVOCATIONS_CHANNEL = 'jwt:revocations';

/** A denylisted `sid:`/`jti:` id until a time, or a user's "not before" watermark. */
export type Notice = { kind: 'deny'; id: string; until: number } | { kind: 'watermark'; userId: string; at: number };

/** After a (re)subscription the load runs again this much later, in case a notice raced it. */
const SECOND_LOAD_MS = 250;

export interface ReplicaDeps {
  config: Config;
  clock: Clock;
  prisma: PrismaClient;
  stateStore: StateStore;
  logger: Logger;
}

/**
 * This instance's copy of the revocations (denylisted ids, per-user watermarks), so checking a
 * token needs no network round trip. The database is the source of truth: the copy is loaded
 * from it at start, after every (re)subscription and periodically, and fed in between by
 * pub/sub notices. Entries are only ever added (a load merges, never replaces), so a load
 * racing a notice cannot lose it. When the subscription has been down longer than
 * STATE_STORE_TIMEOUT, or a reload after a reconnect has not succeeded yet, notices may have
 * been missed: authentication then fails closed.
 */
export function createRevocationReplica({ config, clock, prisma, stateStore, logger }: ReplicaDeps) {
  const denied = new Map<string, number>();
  const watermarks = new Map<string, number>();
  // Outage bookkeeping uses the monotonic clock: it is about real elapsed time, not token time.
  let troubleSince: number | null = performance.now();
  let confirmed = false;
  let generation = 0;
  let stopped = false;
  let unsubscribe: (() => Promise<void>) | undefined;
  const timers = new Set<NodeJS.Timeout>();
  let onConfirmed: (() => void) | undefined;

  function apply(notice: Notice): void {
    if (notice.kind === 'deny') denied.set(notice.id, Math.max(denied.get(notice.id) ?? 0, notice.until));
    else watermarks.set(notice.userId, Math.max(watermarks.get(notice.userId) ?? 0, notice.at));
  }

  function prune(now: number): void {
    for (const [id, until] of denied) if (until <= now) denied.delete(id);
    const horizon = now - revocationLifetimeMs(config);
    for (const [userId, at] of watermarks) if (at <= horizon) watermarks.delete(userId);
  }

  async function load(): Promise<void> {
    const now = clock.now();
    const rows = await prisma.revocation.findMany({ where: { expiresAt: { gt: new Date(now) } }, select: { id: true, expiresAt: true } });
    const users = await prisma.user.findMany({
      where: { tokensValidAfter: { gt: new Date(now - revocationLifetimeMs(config)) } },
      select: { id: true, tokensValidAfter: true },
    });
    for (const r of rows) apply({ kind: 'deny', id: r.id, until: r.expiresAt.getTime() });
    for (const u of users) apply({ kind: 'watermark', userId: u.id, at: u.tokensValidAfter!.getTime() });
    prune(now);
  }

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => (timers.delete(timer), fn()), ms).unref();
    timers.add(timer);
  };

  /** Reloads until it succeeds or the subscription changes again; only then is the copy trusted. */
  async function confirm(gen: number, attempt = 0): Promise<void> {
    if (stopped || gen !== generation) return;
    try {
      await load();
      if (gen !== generation) return;
      confirmed = true;
      troubleSince = null;
      onConfirmed?.();
      later(SECOND_LOAD_MS, () => void load().catch(() => {}));
    } catch (error) {
      logger.warn({ err: { message: (error as Error).message } }, 'revocation reload failed; retrying');
      later(Math.min(250 * 2 ** attempt, 2_000), () => void confirm(gen, attempt + 1));
    }
  }

  const handlers = {
    onMessage(message: string) {
      const notices = parseNotices(message);
      if (notices) notices.forEach(apply);
      else void load().catch(() => {});
    },
    onReady: () => void confirm(++generation),
    onDown() {
      generation++;
      confirmed = false;
      troubleSince ??= performance.now();
    },
  };

  return {
    /** The user's "not before" watermark as this instance knows it (ms), or null. */
    watermarkOf: (userId: string): number | null => watermarks.get(userId) ?? null,

    async start(): Promise<void> {
      await load();
      // Fresh from the database as of now: the outage bound counts from here until confirmed.
      troubleSince = performance.now();
      const subscribed = new Promise<void>((resolve) => (onConfirmed = resolve));
      unsubscribe = await stateStore.subscribe(REVOCATIONS_CHANNEL, handlers);
      // Ready once subscribed, so a fresh instance does not report ready and then fail closed;
      // but a state store that is down at boot must not keep the service from starting.
      await Promise.race([subscribed, new Promise<void>((resolve) => later(config.stateStoreTimeoutMs, resolve))]);
    },

    async stop(): Promise<void> {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      const step = unsubscribe;
      unsubscribe = undefined;
      await settleWithin(step, config.stateStoreTimeoutMs);
    },

    /** Periodic backstop: a notice lost in transit is picked up from the database here. */
    reload: load,

    /** Throws REVOKED for a revoked token; fails closed when the copy cannot be trusted. */
    check(claims: AccessClaims): void {
      if (!confirmed && troubleSince !== null && performance.now() - troubleSince > config.stateStoreTimeoutMs) {
        throw dependencyUnavailable('state store');
      }
      const now = clock.now();
      const revoked = (id: string) => (denied.get(id) ?? 0) > now;
      if (revoked(`sid:${claims.sid}`) || revoked(`jti:${claims.jti}`)) throw unauthenticated('REVOKED');
      // Whole seconds: a token is refused when issued in or before the watermark's second;
      // tokens issued after it get an iat past that second (see access-tokens.ts).
      const watermark = watermarks.get(claims.sub);
      if (watermark !== undefined && claims.iat <= Math.floor(watermark / 1000)) throw unauthenticated('REVOKED');
    },

    /**
     * After a revocation is committed: applied here at once, then published. A failed publish
     * is logged, not thrown: the database already holds the revocation, instances whose
     * subscription is down are failing closed, and they reload it when they reconnect.
     */
    async publish(notices: Notice[]): Promise<void> {
      notices.forEach(apply);
      try {
        await stateStore.publish(REVOCATIONS_CHANNEL, JSON.stringify({ v: 1, notices }));
      } catch (error) {
        logger.warn({ err: { message: (error as Error).message } }, 'revocation notice not published; peers reload from the database');
      }
    },

    readiness(): string | null {
      if (confirmed || troubleSince === null) return null;
      return performance.now() - troubleSince > config.stateStoreTimeoutMs
        ? 'revocation replica not confirmed: state store subscription is down'
        : null;
    },
  };
}

export type RevocationReplica = ReturnType<typeof createRevocationReplica>;

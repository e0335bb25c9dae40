import type { Request } from 'express';
import type { Principal, SessionInfo, UserRecord } from '../../domain.js';
import { badInput, dependencyUnavailable, unauthenticated } from '../../errors.js';
import type { AuthStrategy, HttpExchange, IssuedCredentials, StrategyDeps } from '../strategy.js';
import type { SessionState } from './session-state.js';
import { HashedSessionStore } from './hashed-session-store.js';
import { createRedisSessionBackend } from './redis-session-backend.js';
import { createStateSessionBackend, SESSION_KEY_PREFIX, type SessionBackend } from './session-backend.js';
import { createSessionIndex } from './session-index.js';
import { COOKIE_NAME, cookieOptions, createSessionMiddleware, detachSession } from './session-middleware.js';
import {
  expiresAt,
  hashSessionId,
  isExpired,
  newRecord,
  pickRecord,
  toSessionInfo,
  touchIntervalMs,
  type SessionRecord,
  type SessionTimeouts,
} from './session-record.js';

const SID_COOKIE = new RegExp(`(?:^|;)\\s*${COOKIE_NAME}=`);

function createBackend(deps: StrategyDeps, state: SessionState, timeouts: SessionTimeouts): SessionBackend {
  if (!deps.redis) return createStateSessionBackend(state, timeouts, deps.clock);
  return createRedisSessionBackend({
    client: deps.redis,
    prefix: deps.config.redisKeyPrefix + SESSION_KEY_PREFIX,
    commandTimeoutMs: deps.config.stateStoreTimeoutMs,
    timeouts,
    clock: deps.clock,
  });
}

/**
 * Server sessions: an opaque, signed `sid` cookie naming a record in the state store (Redis
 * through connect-redis, or the in-process store). Every login and refresh issues a new id,
 * both timeouts are enforced here with the service's clock, and when the store cannot be read
 * no request is authenticated.
 */
export function createSessionStrategy(deps: StrategyDeps): AuthStrategy {
  const { config, clock, logger } = deps;
  const timeouts: SessionTimeouts = { idleTtlMs: config.session.idleTtlMs, absoluteTtlMs: config.session.absoluteTtlMs };
  const cookie = cookieOptions(config.production);
  const state: SessionState = deps.stateStore;
  const backend = createBackend(deps, state, timeouts);
  const store = new HashedSessionStore(backend, cookie);
  const index = createSessionIndex({ state, backend, timeouts, clock });
  /** Requests whose session could not be loaded: they must not count as anyone. */
  const storeFailed = new WeakSet<Request>();

  function assertStoreAnswered(req: Request): void {
    if (storeFailed.has(req)) throw dependencyUnavailable('state store');
    if (!req.sessionStore) throw new Error('session middleware did not run');
  }

  /**
   * express-session silently withholds a Secure cookie from a plain-HTTP request; a login that
   * "succeeded" without its cookie would leave a session no one holds, so it is refused.
   */
  function assertCookieDeliverable(req: Request): void {
    assertStoreAnswered(req);
    if (cookie.secure && !req.secure) throw badInput('Session cookies need HTTPS: this request did not arrive over HTTPS');
  }

  const credentials = (record: SessionRecord): IssuedCredentials => ({
    sessionId: record.publicId,
    sessionExpiresAt: new Date(expiresAt(record, timeouts)),
  });

  /** The caller's stored session as loaded for this request, whatever its age. */
  const loaded = (req: Request): SessionRecord | null => (req.session ? pickRecord(req.session) : null);

  /** Deletes the caller's session (by its own key, and from the index) and unties the request. */
  async function endCurrent(req: Request, record: SessionRecord): Promise<void> {
    await backend.destroy(hashSessionId(req.sessionID));
    await index.end(record.publicId, record.userId);
    detachSession(req);
  }

  /**
   * Gives the request a new session under a fresh id and stores it. The previous id (planted
   * by an attacker, or this browser's old login) never becomes authenticated: fixation.
   */
  async function begin(req: Request, record: SessionRecord): Promise<string> {
    try {
      req.sessionStore.generate(req);
      Object.assign(req.session, record);
      await store.create(req.sessionID, req.session);
      return hashSessionId(req.sessionID);
    } catch (error) {
      detachSession(req);
      throw error;
    }
  }

  /** Refresh: the same session (public id, login time) under a new cookie id, idle window restarted. */
  async function rotate(req: Request, current: SessionRecord): Promise<SessionRecord> {
    const oldKey = hashSessionId(req.sessionID);
    if (!(await index.claimRotation(oldKey))) {
      detachSession(req);
      throw unauthenticated('INVALID', 'This session was just refreshed by another request');
    }
    const record = { ...current, lastUsedAt: clock.now() };
    const key = await begin(req, record);
    await index.point(record, key);
    await backend.destroy(oldKey);
    if (await index.isRevoked(record.publicId)) {
      await index.withdraw(record, key);
      detachSession(req);
      throw unauthenticated('REVOKED');
    }
    return record;
  }

  return {
    mode: 'SESSION',
    middleware: [
      createSessionMiddleware({ store, cookie, secrets: config.session.secrets, logger, onStoreFailure: (req) => storeFailed.add(req) }),
    ],
    async start() {},
    async stop() {},

    async authenticate({ req }: HttpExchange): Promise<Principal | null> {
      assertStoreAnswered(req);
      const record = loaded(req);
      if (!record) return null;
      const now = clock.now();
      if (isExpired(record, timeouts, now)) {
        // The answer is "no session" either way; a failed clean-up only leaves it to the TTL.
        await endCurrent(req, record).catch((error: Error) => logger.warn({ err: { message: error.message } }, 'expired session clean-up failed'));
        detachSession(req);
        return null;
      }
      // Throttled touch: express-session saves the session at the end of this response only
      // because it changed; within the interval nothing is written at all.
      if (now - record.lastUsedAt > touchIntervalMs(timeouts)) req.session.lastUsedAt = now;
      return { userId: record.userId, sessionId: record.publicId };
    },

    async startLogin({ req, client }: HttpExchange, user: UserRecord): Promise<IssuedCredentials> {
      assertCookieDeliverable(req);
      const previous = loaded(req);
      if (previous) await endCurrent(req, previous);
      const record = newRecord(user.id, client, clock.now());
      await index.add(record, await begin(req, record));
      return credentials(record);
    },

    async refresh({ req }: HttpExchange): Promise<{ userId: string; credentials: IssuedCredentials }> {
      assertCookieDeliverable(req);
      const current = loaded(req);
      if (!current) throw unauthenticated(SID_COOKIE.test(req.headers.cookie ?? '') ? 'INVALID' : 'MISSING');
      if (isExpired(current, timeouts, clock.now())) {
        await endCurrent(req, current);
        throw unauthenticated('EXPIRED');
      }
      const record = await rotate(req, current);
      return { userId: record.userId, credentials: credentials(record) };
    },

    async listSessions(userId: string, currentSessionId: string | null): Promise<SessionInfo[]> {
      const live = await index.list(userId);
      return live.map(({ record }) => toSessionInfo(record, timeouts, currentSessionId)).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    },

    async sessionOwner(sessionId: string): Promise<string | null> {
      return (await index.find(sessionId))?.record.userId ?? null;
    },

    async revoke({ req }: HttpExchange, userId: string, target): Promise<number> {
      const own = loaded(req);
      if (target.kind === 'all') {
        const count = await index.endAll(userId);
        // Also by its own key, in case the index missed it: revoke-all is the panic button.
        if (own?.userId === userId) await endCurrent(req, own);
        return count;
      }
      const live = await index.end(target.sessionId, userId);
      if (own?.publicId === target.sessionId) detachSession(req);
      return live ? 1 : 0;
    },

    clearClient({ res }: HttpExchange): void {
      // The same attributes as when set, or a browser keeps the original cookie.
      const { httpOnly, sameSite, path, secure } = cookie;
      res.clearCookie(COOKIE_NAME, { httpOnly, sameSite, path, secure: secure === true });
    },
  };
}

import type { Clock } from '../../clock.js';
import type { SessionState } from './session-state.js';
import { expiresAt, parseRecord, type SessionRecord, type SessionTimeouts } from './session-record.js';

/**
 * Where session records live, keyed by the SHA-256 of the cookie's id (the caller hashes).
 * Every write sets the key's TTL to the session's remaining life, so the store forgets a
 * session by itself when it ends; the service still checks both timeouts on every read.
 * Outages reject with StateStoreUnavailableError, never hang.
 */
export interface SessionBackend {
  get(key: string): Promise<SessionRecord | null>;
  /** Writes a session that begins now (login, refresh). */
  create(key: string, record: SessionRecord): Promise<void>;
  /**
   * Rewrites a live session (the throttled `lastUsedAt` touch). Never brings back a session
   * that was destroyed meanwhile: a request still in flight when its session was logged out or
   * revoked elsewhere must not undo that by saving on its way out.
   */
  update(key: string, record: SessionRecord): Promise<void>;
  destroy(key: string): Promise<void>;
}

/** Session records and the per-user index share the state store's key space. */
export const SESSION_KEY_PREFIX = 'sess:';
const GONE_PREFIX = 'sess-gone:';
/** Longer than any request can run (30 s request timeout), so no late touch outlives it. */
export const MARKER_TTL_MS = 5 * 60_000;

/** Remaining life in ms by the service's clock; <= 0 means the session has ended. */
export const remainingMs = (record: SessionRecord, timeouts: SessionTimeouts, clock: Clock): number =>
  expiresAt(record, timeouts) - clock.now();

/**
 * The embedded default: records in the in-process state store (expiring with the service's
 * clock), not express-session's MemoryStore, which never forgets a session it was not asked to.
 */
export function createStateSessionBackend(state: SessionState, timeouts: SessionTimeouts, clock: Clock): SessionBackend {
  const key = (hash: string) => SESSION_KEY_PREFIX + hash;

  async function create(hash: string, record: SessionRecord): Promise<void> {
    const ttl = remainingMs(record, timeouts, clock);
    if (ttl <= 0) await state.del(key(hash));
    else await state.set(key(hash), JSON.stringify(record), ttl);
  }

  return {
    get: async (hash) => parseRecord(await state.get(key(hash))),
    create,
    async update(hash, record) {
      // The state store has no "set if present"; check, write, then look for a destroy that
      // slipped in between (it leaves a marker) and undo the write if there was one.
      if ((await state.ttl(key(hash))) === -2) return;
      await create(hash, record);
      if ((await state.get(GONE_PREFIX + hash)) !== null) await state.del(key(hash));
    },
    async destroy(hash) {
      await state.set(GONE_PREFIX + hash, '1', MARKER_TTL_MS);
      await state.del(key(hash));
    },
  };
}

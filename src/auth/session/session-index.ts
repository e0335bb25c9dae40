import type { Clock } from '../../clock.js';
import type { SessionState } from './session-state.js';
import { MARKER_TTL_MS, type SessionBackend } from './session-backend.js';
import { isExpired, type SessionRecord, type SessionTimeouts } from './session-record.js';

/** A live session as the index finds it: its record and the hashed key it is stored under. */
export interface LiveSession {
  key: string;
  record: SessionRecord;
}

const userKey = (userId: string) => `user-sessions:${userId}`;
const publicKey = (publicId: string) => `session-public:${publicId}`;
const revokedKey = (publicId: string) => `session-revoked:${publicId}`;
const rotatedKey = (hash: string) => `session-rotated:${hash}`;
/** Public ids are UUIDs; anything far longer is not one of ours and is not looked up. */
const MAX_PUBLIC_ID = 128;

interface PublicEntry {
  key: string;
  userId: string;
}

function parseEntry(text: string | null): PublicEntry | null {
  if (!text) return null;
  try {
    const { key, userId } = JSON.parse(text) as Partial<PublicEntry>;
    return typeof key === 'string' && typeof userId === 'string' ? { key, userId } : null;
  } catch {
    return null;
  }
}

export interface SessionIndexDeps {
  state: SessionState;
  backend: SessionBackend;
  timeouts: SessionTimeouts;
  clock: Clock;
}

/**
 * The per-user index in the state store: `user-sessions:<userId>` holds the public ids of a
 * user's sessions, `session-public:<publicId>` the hashed key of each (never the cookie's id).
 * Records stay the truth: an id whose record is gone or expired is pruned when listed and
 * never brought back. Revocation writes a short-lived marker first, so a refresh of the same
 * session running concurrently notices it and undoes itself instead of escaping the revoke.
 */
export function createSessionIndex({ state, backend, timeouts, clock }: SessionIndexDeps) {
  const absoluteLeft = (r: SessionRecord) => Math.max(1, r.createdAt + timeouts.absoluteTtlMs - clock.now());

  /** Points the public id at the session's current key (login, and after each rotation). */
  async function point(record: SessionRecord, key: string): Promise<void> {
    await state.set(publicKey(record.publicId), JSON.stringify({ key, userId: record.userId }), absoluteLeft(record));
  }

  async function find(publicId: string): Promise<LiveSession | null> {
    if (publicId.length === 0 || publicId.length > MAX_PUBLIC_ID) return null;
    const entry = parseEntry(await state.get(publicKey(publicId)));
    if (!entry) return null;
    const record = await backend.get(entry.key);
    if (!record || record.publicId !== publicId || record.userId !== entry.userId) return null;
    return isExpired(record, timeouts, clock.now()) ? null : { key: entry.key, record };
  }

  async function forget(userId: string, publicId: string): Promise<void> {
    await state.del(publicKey(publicId));
    await state.sRem(userKey(userId), [publicId]);
  }

  /** Ends one session of `userId`; answers whether it was live. Another user's id is left alone. */
  async function end(publicId: string, userId: string): Promise<boolean> {
    const before = parseEntry(await state.get(publicKey(publicId)));
    if (!before || before.userId !== userId) return false;
    await state.set(revokedKey(publicId), '1', MARKER_TTL_MS);
    // Read again after the marker: a rotation that repointed the id meanwhile is caught here,
    // and one that repoints it later sees the marker.
    const entry = parseEntry(await state.get(publicKey(publicId))) ?? before;
    const live = (await find(publicId)) !== null;
    await backend.destroy(entry.key);
    if (entry.key !== before.key) await backend.destroy(before.key);
    await forget(userId, publicId);
    return live;
  }

  return {
    find,
    end,

    async add(record: SessionRecord, key: string): Promise<void> {
      await point(record, key);
      // The set lives as long as the newest session in it can.
      await state.sAdd(userKey(record.userId), [record.publicId], timeouts.absoluteTtlMs);
    },

    point,

    async list(userId: string): Promise<LiveSession[]> {
      const ids = await state.sMembers(userKey(userId));
      const found = await Promise.all(ids.map(async (id) => ({ id, live: await find(id) })));
      const dead = found.filter((f) => !f.live || f.live.record.userId !== userId).map((f) => f.id);
      await Promise.all(dead.map((id) => forget(userId, id)));
      return found.flatMap((f) => (f.live && f.live.record.userId === userId ? [f.live] : []));
    },

    async endAll(userId: string): Promise<number> {
      const ids = await state.sMembers(userKey(userId));
      const ended = await Promise.all(ids.map((id) => end(id, userId)));
      return ended.filter(Boolean).length;
    },

    /** True for exactly one caller per session key: concurrent refreshes cannot both rotate it. */
    async claimRotation(key: string): Promise<boolean> {
      return (await state.incr(rotatedKey(key), MARKER_TTL_MS)) === 1;
    },

    async isRevoked(publicId: string): Promise<boolean> {
      return (await state.get(revokedKey(publicId))) !== null;
    },

    /** Undoes a rotation that lost to a revoke. */
    async withdraw(record: SessionRecord, key: string): Promise<void> {
      await backend.destroy(key);
      await forget(record.userId, record.publicId);
    },
  };
}

export type SessionIndex = ReturnType<typeof createSessionIndex>;

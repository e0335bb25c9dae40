import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { ClientInfo, SessionInfo } from '../../domain.js';

/**
 * What the server keeps about one session. Nothing in it is a credential: the cookie's id is
 * the secret, and it is stored only as the SHA-256 key under which this record lives.
 */
export interface SessionRecord {
  userId: string;
  /** The `Session.id` shown in GraphQL and used by `revoke`; unrelated to the cookie's id. */
  publicId: string;
  /** Epoch ms of the login; the absolute timeout counts from here, whatever the activity. */
  createdAt: number;
  /** Epoch ms of the last recorded use (written back at most once per touch interval). */
  lastUsedAt: number;
  userAgent: string | null;
  ip: string | null;
}

declare module 'express-session' {
  // req.session carries the record's fields once a login has begun.
  interface SessionData extends SessionRecord {}
}

/** The two timeouts, in ms. */
export interface SessionTimeouts {
  idleTtlMs: number;
  absoluteTtlMs: number;
}

/** 256 random bits: guessing a live id is hopeless, and the HMAC signature adds nothing to forge. */
export const newSessionId = (): string => randomBytes(32).toString('base64url');

export const newPublicId = (): string => randomUUID();

/**
 * The store key for a cookie id. A leaked store dump (or a MONITOR / slow-log line) then holds
 * no usable cookie value: the id cannot be recovered from its hash.
 */
export const hashSessionId = (id: string): string => createHash('sha256').update(id, 'utf8').digest('hex');

/** When the session ends unless used again: idle from the last use, capped by the absolute limit. */
export const expiresAt = (r: Pick<SessionRecord, 'createdAt' | 'lastUsedAt'>, t: SessionTimeouts): number =>
  Math.min(r.lastUsedAt + t.idleTtlMs, r.createdAt + t.absoluteTtlMs);

/** Decided on the server with the service's clock, never trusted to the cookie or the store's TTL. */
export const isExpired = (r: Pick<SessionRecord, 'createdAt' | 'lastUsedAt'>, t: SessionTimeouts, now: number): boolean =>
  now >= expiresAt(r, t);

/**
 * How stale `lastUsedAt` may get before a request writes it back. A tenth of the idle window
 * (at most a minute) keeps stores quiet on busy sessions while the idle timeout stays within
 * that margin of exact, and always on the early side: a session never outlives its idle window.
 */
export const touchIntervalMs = (t: SessionTimeouts): number => Math.min(t.idleTtlMs / 10, 60_000);

export function newRecord(userId: string, client: ClientInfo, now: number): SessionRecord {
  return { userId, publicId: newPublicId(), createdAt: now, lastUsedAt: now, userAgent: client.userAgent, ip: client.ip };
}

/** Exactly the record's fields: whatever else rides on a session object is never stored. */
export function pickRecord(source: Partial<SessionRecord>): SessionRecord | null {
  const { userId, publicId, createdAt, lastUsedAt, userAgent, ip } = source;
  if (typeof userId !== 'string' || typeof publicId !== 'string') return null;
  if (!Number.isFinite(createdAt) || !Number.isFinite(lastUsedAt)) return null;
  return {
    userId,
    publicId,
    createdAt: createdAt as number,
    lastUsedAt: lastUsedAt as number,
    userAgent: typeof userAgent === 'string' ? userAgent : null,
    ip: typeof ip === 'string' ? ip : null,
  };
}

/** Parses a stored record; anything malformed counts as no session at all. */
export function parseRecord(text: string | null): SessionRecord | null {
  if (!text) return null;
  try {
    return pickRecord(JSON.parse(text) as Partial<SessionRecord>);
  } catch {
    return null;
  }
}

/** A session as `sessions` shows it: the public id, never anything from the cookie. */
export function toSessionInfo(record: SessionRecord, timeouts: SessionTimeouts, currentSessionId: string | null): SessionInfo {
  return {
    id: record.publicId,
    createdAt: new Date(record.createdAt),
    lastUsedAt: new Date(record.lastUsedAt),
    expiresAt: new Date(expiresAt(record, timeouts)),
    userAgent: record.userAgent,
    ip: record.ip,
    current: record.publicId === currentSessionId,
  };
}

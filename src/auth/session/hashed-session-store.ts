import session from 'express-session';
import type { CookieOptions, SessionData } from 'express-session';
import type { SessionBackend } from './session-backend.js';
import { hashSessionId, pickRecord, type SessionRecord } from './session-record.js';

type Callback = (error?: unknown, value?: SessionData | null) => void;

/**
 * The express-session store: the cookie's id never reaches storage, only its SHA-256, and
 * only the session record's own fields are written (the cookie's options come from config, so
 * a configuration change applies to existing sessions too).
 *
 * express-session calls `set` at the end of a response for a session that exists already (a
 * throttled touch), so `set` only ever replaces; new sessions are written by `create`, which
 * the strategy awaits so that a login answers only once its session is stored.
 */
export class HashedSessionStore extends session.Store {
  /** The last record written for each session object, to skip an identical second write. */
  private readonly written = new WeakMap<object, string>();

  constructor(
    private readonly backend: SessionBackend,
    private readonly cookie: CookieOptions,
  ) {
    super();
  }

  override get(sid: string, callback: Callback): void {
    settle(this.read(sid), callback);
  }

  override set(sid: string, sess: SessionData, callback?: Callback): void {
    settle(this.write(sid, sess, 'update'), callback);
  }

  override destroy(sid: string, callback?: Callback): void {
    settle(this.backend.destroy(hashSessionId(sid)), callback);
  }

  /** Stores a session that begins now (login, refresh); rejects when the store is down. */
  create(sid: string, sess: Partial<SessionRecord>): Promise<void> {
    return this.write(sid, sess, 'create');
  }

  private async read(sid: string): Promise<SessionData | null> {
    const record = await this.backend.get(hashSessionId(sid));
    // express-session rebuilds its Cookie from `cookie`; the options are ours, not stored.
    return record ? ({ ...record, cookie: { ...this.cookie, originalMaxAge: null } } as unknown as SessionData) : null;
  }

  private async write(sid: string, sess: Partial<SessionRecord>, mode: 'create' | 'update'): Promise<void> {
    // A session without a user is never stored: anonymous visitors cost the store nothing.
    const record = pickRecord(sess);
    if (!record) return;
    const json = JSON.stringify(record);
    // express-session saves a new session again at the end of its response; it is stored already.
    if (mode === 'update' && this.written.get(sess) === json) return;
    await (mode === 'create' ? this.backend.create(hashSessionId(sid), record) : this.backend.update(hashSessionId(sid), record));
    this.written.set(sess, json);
  }
}

function settle<T>(promise: Promise<T>, callback?: Callback): void {
  promise.then(
    (value) => callback?.(null, (value ?? null) as SessionData | null),
    (error: unknown) => callback?.(error),
  );
}

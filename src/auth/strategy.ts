import type { Request, RequestHandler, Response, Router } from 'express';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { ClientInfo, Principal, SessionInfo, UserRecord } from '../domain.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Logger } from '../logger.js';
import type { RedisClient } from '../stores/redis-state-store.js';
import type { StateStore } from '../stores/state-store.js';
import type { UserStore } from '../stores/user-store.js';

/** One HTTP exchange, as a strategy sees it: it may read credentials and set cookies. */
export interface HttpExchange {
  req: Request;
  res: Response;
  client: ClientInfo;
}

/** Credentials a strategy hands out for a new or refreshed login. */
export interface IssuedCredentials {
  /** The login's public id (`Session.id`, the `sid` claim). */
  sessionId: string;
  accessToken?: string;
  accessTokenExpiresAt?: Date;
  refreshToken?: string;
  refreshTokenExpiresAt?: Date;
  sessionExpiresAt?: Date;
}

/** What to end: one login by id, or all of a user's logins. */
export type RevokeTarget = { kind: 'session'; sessionId: string } | { kind: 'all' };

/**
 * How a deployment proves who is calling: `jwt` (access tokens + rotating refresh tokens) or
 * `session` (server sessions). Services and resolvers use only this interface; only the
 * strategy implementations import jose or express-session.
 *
 * Convention (Lucia's): `authenticate` answers null for "no credential"; a credential that is
 * presented and fails throws AppError UNAUTHENTICATED with its reason where the mode defines
 * one (JWT), or answers null (a session cookie that names no live session).
 */
export interface AuthStrategy {
  readonly mode: 'JWT' | 'SESSION';
  /** Express middleware run before GraphQL (loading the session, reading cookies). */
  readonly middleware: RequestHandler[];
  /** Extra public routes (the JWKS), mounted at the root. */
  readonly router?: Router;
  start(): Promise<void>;
  stop(): Promise<void>;
  authenticate(http: HttpExchange): Promise<Principal | null>;
  /** Begins a new login for a user whose password the service has just checked. */
  startLogin(http: HttpExchange, user: UserRecord): Promise<IssuedCredentials>;
  /**
   * JWT: exchanges a refresh token (argument, or the refresh cookie) for a new pair.
   * SESSION: rotates the caller's session id and extends its idle window.
   */
  refresh(http: HttpExchange, refreshToken: string | null): Promise<{ userId: string; credentials: IssuedCredentials }>;
  /** The user's live logins; `current` marks `currentSessionId`. */
  listSessions(userId: string, currentSessionId: string | null): Promise<SessionInfo[]>;
  /** The owner of a live login, or null when no live login has this id. */
  sessionOwner(sessionId: string): Promise<string | null>;
  /** Ends logins of a user at once, everywhere; answers how many were live. */
  revoke(http: HttpExchange, userId: string, target: RevokeTarget): Promise<number>;
  /** Removes the caller's credentials from the client (cookies), after its login has ended. */
  clearClient(http: HttpExchange): void;
  /** Null when the strategy's own dependencies answer, else what failed (for /readyz). */
  readiness?(): Promise<string | null>;
}

/** What a strategy factory receives from the composition root. */
export interface StrategyDeps {
  config: Config;
  clock: Clock;
  prisma: PrismaClient;
  stateStore: StateStore;
  /** The raw Redis client when REDIS_URL is set (connect-redis needs it). */
  redis: RedisClient | undefined;
  users: UserStore;
  logger: Logger;
}

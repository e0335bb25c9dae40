import type { Clock } from '../clock.js';
import type { AuthResult, Principal, SessionInfo, UserProfile, UserRecord } from '../domain.js';
import { badInput, forbidden, unauthenticated } from '../errors.js';
import { normalizeEmail } from '../auth/email.js';
import { checkPasswordPolicy, PASSWORD_MAX_BYTES, type PasswordHasher } from '../auth/passwords.js';
import type { AuthStrategy, HttpExchange, IssuedCredentials } from '../auth/strategy.js';
import type { IpThrottle } from '../abuse/ip-throttle.js';
import type { LoginAttempt, LoginThrottle } from '../abuse/login-throttle.js';
import type { AuditLog, AuthEventRecord } from '../audit/audit-log.js';
import { createAudited, type Trace } from '../audit/audited.js';
import type { UserStore } from '../stores/user-store.js';

export interface Credentials {
  email: string;
  password: string;
}

export type RevokeInput = { scope: 'CURRENT' | 'SESSION' | 'ALL'; sessionId?: string | null };

export interface Throttles {
  login: LoginThrottle;
  register: IpThrottle;
  refresh: IpThrottle;
}

export interface AuthServiceDeps {
  users: UserStore;
  hasher: PasswordHasher;
  strategy: AuthStrategy;
  clock: Clock;
  throttles: Throttles;
  audit: AuditLog;
}

export type AuthService = ReturnType<typeof createAuthService>;

/** `authEvents(first)` answers at most this many. */
export const AUTH_EVENTS_MAX = 100;

const tooLong = (password: string) => Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES;

/** The address as typed when it is not valid: rate-limit keys still need one string per input. */
const emailKey = (email: string): string => {
  try {
    return normalizeEmail(email);
  } catch {
    return email.trim().toLowerCase();
  }
};

const isValidEmail = (email: string): boolean => {
  try {
    return normalizeEmail(email) === email;
  } catch {
    return false;
  }
};

/** The use cases behind the GraphQL operations; the same for both strategies. */
export function createAuthService({ users, hasher, strategy, clock, throttles, audit }: AuthServiceDeps) {
  const audited = createAudited(audit);

  const result = (user: UserProfile, credentials: IssuedCredentials, trace: Trace): AuthResult => {
    trace.userId = user.id;
    trace.sessionId = credentials.sessionId;
    return {
      user,
      mode: strategy.mode,
      accessToken: credentials.accessToken ?? null,
      accessTokenExpiresAt: credentials.accessTokenExpiresAt ?? null,
      refreshToken: credentials.refreshToken ?? null,
      refreshTokenExpiresAt: credentials.refreshTokenExpiresAt ?? null,
      sessionExpiresAt: credentials.sessionExpiresAt ?? null,
    };
  };

  /**
   * Reserves a password check with the login throttle. When refused, the user id is looked up
   * for the audit trail only (the owner sees the attack in authEvents); known and unknown
   * emails take the same path and get the same answer.
   */
  async function beginAttempt(email: string, http: HttpExchange, trace: Trace): Promise<LoginAttempt> {
    try {
      return await throttles.login.begin(email, http.client.ip);
    } catch (error) {
      trace.userId = (await findUser(email).catch(() => null))?.id;
      throw error;
    }
  }

  /** Only a valid address can name a user; anything else never reaches the database. */
  const findUser = (email: string) => (isValidEmail(email) ? users.findByEmail(email) : Promise.resolve(null));

  /**
   * Checks a password: the user when it is right, else null. An unknown email still spends one
   * argon2 verification, so response time does not tell whether the account exists.
   */
  async function checkPassword(email: string, password: string, trace: Trace): Promise<UserRecord | null> {
    const user = await findUser(email);
    trace.userId = user?.id;
    if (!user) {
      await hasher.verifyDummy(password);
      return null;
    }
    if (!(await hasher.verify(user.passwordHash, password))) return null;
    if (!hasher.needsRehash(user.passwordHash)) return user;
    // Parameters were raised since this hash was made: upgrade it now that we hold the password.
    const upgraded = await hasher.hash(password);
    await users.updatePasswordHash(user.id, upgraded);
    return { ...user, passwordHash: upgraded };
  }

  /** Throttled password check shared by login and changePassword; one answer for every failure. */
  async function verifyThrottled(email: string, password: string, http: HttpExchange, trace: Trace, message?: string) {
    // Oversized passwords are refused before any limiter or hashing work; their length is no secret.
    if (tooLong(password)) throw unauthenticated('BAD_CREDENTIALS', message);
    const attempt = await beginAttempt(email, http, trace);
    const user = await checkPassword(email, password, trace).catch(async (error: unknown) => {
      await attempt.abandon().catch(() => {});
      throw error;
    });
    if (!user) {
      await attempt.failed();
      throw unauthenticated('BAD_CREDENTIALS', message);
    }
    await attempt.succeeded();
    return user;
  }

  async function requireUser(principal: Principal): Promise<UserRecord> {
    const user = await users.findById(principal.userId);
    if (!user) throw unauthenticated('REVOKED');
    return user;
  }

  return {
    register: (http: HttpExchange, input: Credentials): Promise<AuthResult> =>
      audited('register', http, async (trace) => {
        await throttles.register.take(http.client.ip);
        const email = normalizeEmail(input.email);
        checkPasswordPolicy(input.password, email);
        const user = await users.create({ email, passwordHash: await hasher.hash(input.password), now: new Date(clock.now()) });
        const issued = result(user, await strategy.startLogin(http, user), trace);
        void throttles.login.trust(email, http.client.ip);
        return issued;
      }),

    login: (http: HttpExchange, input: Credentials): Promise<AuthResult> =>
      audited('login', http, async (trace) => {
        const user = await verifyThrottled(emailKey(input.email), input.password, http, trace);
        return result(user, await strategy.startLogin(http, user), trace);
      }),

    refresh: (http: HttpExchange, refreshToken: string | null): Promise<AuthResult> =>
      audited('refresh', http, async (trace) => {
        await throttles.refresh.take(http.client.ip);
        const { userId, credentials } = await strategy.refresh(http, refreshToken);
        trace.userId = userId;
        // The profile (cached: it never changes) is all the answer shows; no database read.
        const user = await users.findProfile(userId);
        if (!user) throw unauthenticated('REVOKED');
        return result(user, credentials, trace);
      }),

    me: (principal: Principal | null) => (principal ? users.findProfile(principal.userId) : Promise.resolve(null)),

    sessions: (principal: Principal): Promise<SessionInfo[]> => strategy.listSessions(principal.userId, principal.sessionId),

    authEvents(principal: Principal, first: number): Promise<AuthEventRecord[]> {
      if (!Number.isInteger(first) || first < 0) throw badInput('first must be zero or more', 'first');
      return audit.listForUser(principal.userId, Math.min(first, AUTH_EVENTS_MAX));
    },

    revoke: (http: HttpExchange, principal: Principal, input: RevokeInput): Promise<number> =>
      audited('revoke', http, async (trace) => {
        trace.userId = principal.userId;
        if (input.scope === 'ALL') {
          const count = await strategy.revoke(http, principal.userId, { kind: 'all' });
          strategy.clearClient(http);
          return count;
        }
        const sessionId = input.scope === 'CURRENT' ? principal.sessionId : input.sessionId;
        if (!sessionId) throw badInput('sessionId is required with scope SESSION', 'sessionId');
        trace.sessionId = sessionId;
        const owner = await strategy.sessionOwner(sessionId);
        if (owner === null) throw badInput('Unknown session id', 'sessionId');
        if (owner !== principal.userId) throw forbidden('That session belongs to another user');
        const count = await strategy.revoke(http, principal.userId, { kind: 'session', sessionId });
        if (sessionId === principal.sessionId) strategy.clearClient(http);
        return count;
      }),

    logout: (http: HttpExchange, principal: Principal): Promise<boolean> =>
      audited('logout', http, async (trace) => {
        Object.assign(trace, { userId: principal.userId, sessionId: principal.sessionId });
        await strategy.revoke(http, principal.userId, { kind: 'session', sessionId: principal.sessionId });
        strategy.clearClient(http);
        return true;
      }),

    changePassword: (http: HttpExchange, principal: Principal, input: { currentPassword: string; newPassword: string }): Promise<AuthResult> =>
      audited('password_change', http, async (trace) => {
        Object.assign(trace, { userId: principal.userId, sessionId: principal.sessionId });
        const user = await requireUser(principal);
        // Throttled like a login: a stolen session must not become a password-guessing oracle.
        await verifyThrottled(user.email, input.currentPassword, http, trace, 'Current password is wrong');
        checkPasswordPolicy(input.newPassword, user.email, 'newPassword');
        const passwordHash = await hasher.hash(input.newPassword);
        const changedAt = new Date(clock.now());
        await users.updatePasswordHash(user.id, passwordHash, changedAt);
        // Every login made with the old password ends, this one included; the caller gets a new one.
        await strategy.revoke(http, user.id, { kind: 'all' });
        const updated = { ...user, passwordHash, passwordChangedAt: changedAt };
        return result(updated, await strategy.startLogin(http, updated), trace);
      }),
  };
}

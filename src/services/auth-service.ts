import type { Clock } from '../clock.js';
import type { AuthResult, Principal, SessionInfo, UserRecord } from '../domain.js';
import { badInput, forbidden, unauthenticated } from '../errors.js';
import { normalizeEmail } from '../auth/email.js';
import { checkPasswordPolicy, PASSWORD_MAX_BYTES, type PasswordHasher } from '../auth/passwords.js';
import type { AuthStrategy, HttpExchange, IssuedCredentials } from '../auth/strategy.js';
import type { UserStore } from '../stores/user-store.js';

export interface Credentials {
  email: string;
  password: string;
}

export type RevokeInput = { scope: 'CURRENT' | 'SESSION' | 'ALL'; sessionId?: string | null };

export interface AuthServiceDeps {
  users: UserStore;
  hasher: PasswordHasher;
  strategy: AuthStrategy;
  clock: Clock;
}

export type AuthService = ReturnType<typeof createAuthService>;

/** The use cases behind the GraphQL operations; the same for both strategies. */
export function createAuthService({ users, hasher, strategy, clock }: AuthServiceDeps) {
  const result = (user: UserRecord, credentials: IssuedCredentials): AuthResult => ({
    user,
    mode: strategy.mode,
    accessToken: credentials.accessToken ?? null,
    accessTokenExpiresAt: credentials.accessTokenExpiresAt ?? null,
    refreshToken: credentials.refreshToken ?? null,
    refreshTokenExpiresAt: credentials.refreshTokenExpiresAt ?? null,
    sessionExpiresAt: credentials.sessionExpiresAt ?? null,
  });

  /** Checks a password; one answer for an unknown email and a wrong password. */
  async function checkCredentials(input: Credentials): Promise<UserRecord> {
    let email: string;
    try {
      email = normalizeEmail(input.email);
    } catch {
      email = '';
    }
    const user = email ? await users.findByEmail(email) : null;
    // Oversized passwords are refused before any hashing; their length is no secret.
    if (Buffer.byteLength(input.password, 'utf8') > PASSWORD_MAX_BYTES) throw unauthenticated('BAD_CREDENTIALS');
    if (!user) {
      await hasher.verifyDummy(input.password);
      throw unauthenticated('BAD_CREDENTIALS');
    }
    if (!(await hasher.verify(user.passwordHash, input.password))) throw unauthenticated('BAD_CREDENTIALS');
    if (hasher.needsRehash(user.passwordHash)) {
      // Parameters were raised since this hash was made: upgrade it now that we hold the password.
      const upgraded = await hasher.hash(input.password);
      await users.updatePasswordHash(user.id, upgraded);
      return { ...user, passwordHash: upgraded };
    }
    return user;
  }

  async function requireUser(principal: Principal): Promise<UserRecord> {
    const user = await users.findById(principal.userId);
    if (!user) throw unauthenticated('REVOKED');
    return user;
  }

  return {
    async register(http: HttpExchange, input: Credentials): Promise<AuthResult> {
      const email = normalizeEmail(input.email);
      checkPasswordPolicy(input.password, email);
      const user = await users.create({ email, passwordHash: await hasher.hash(input.password), now: new Date(clock.now()) });
      return result(user, await strategy.startLogin(http, user));
    },

    async login(http: HttpExchange, input: Credentials): Promise<AuthResult> {
      const user = await checkCredentials(input);
      return result(user, await strategy.startLogin(http, user));
    },

    async refresh(http: HttpExchange, refreshToken: string | null): Promise<AuthResult> {
      const { userId, credentials } = await strategy.refresh(http, refreshToken);
      const user = await users.findById(userId);
      if (!user) throw unauthenticated('REVOKED');
      return result(user, credentials);
    },

    me: (principal: Principal | null) => (principal ? users.findById(principal.userId) : Promise.resolve(null)),

    sessions: (principal: Principal): Promise<SessionInfo[]> => strategy.listSessions(principal.userId, principal.sessionId),

    async revoke(http: HttpExchange, principal: Principal, input: RevokeInput): Promise<number> {
      if (input.scope === 'ALL') {
        const count = await strategy.revoke(http, principal.userId, { kind: 'all' });
        strategy.clearClient(http);
        return count;
      }
      const sessionId = input.scope === 'CURRENT' ? principal.sessionId : input.sessionId;
      if (!sessionId) throw badInput('sessionId is required with scope SESSION', 'sessionId');
      const owner = await strategy.sessionOwner(sessionId);
      if (owner === null) throw badInput('Unknown session id', 'sessionId');
      if (owner !== principal.userId) throw forbidden('That session belongs to another user');
      const count = await strategy.revoke(http, principal.userId, { kind: 'session', sessionId });
      if (sessionId === principal.sessionId) strategy.clearClient(http);
      return count;
    },

    async logout(http: HttpExchange, principal: Principal): Promise<boolean> {
      await strategy.revoke(http, principal.userId, { kind: 'session', sessionId: principal.sessionId });
      strategy.clearClient(http);
      return true;
    },

    async changePassword(
      http: HttpExchange,
      principal: Principal,
      input: { currentPassword: string; newPassword: string },
    ): Promise<AuthResult> {
      const user = await requireUser(principal);
      if (Buffer.byteLength(input.currentPassword, 'utf8') > PASSWORD_MAX_BYTES || !(await hasher.verify(user.passwordHash, input.currentPassword))) {
        throw unauthenticated('BAD_CREDENTIALS', 'Current password is wrong');
      }
      checkPasswordPolicy(input.newPassword, user.email, 'newPassword');
      const passwordHash = await hasher.hash(input.newPassword);
      const changedAt = new Date(clock.now());
      await users.updatePasswordHash(user.id, passwordHash, changedAt);
      // Every login made with the old password ends, this one included; the caller gets a new one.
      await strategy.revoke(http, user.id, { kind: 'all' });
      const updated = { ...user, passwordHash, passwordChangedAt: changedAt };
      return result(updated, await strategy.startLogin(http, updated));
    },
  };
}

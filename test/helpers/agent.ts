import { CookieJar, createClient, errorOf, type GqlResponse } from './client.js';

export type Mode = 'jwt' | 'session';

export const PAYLOAD = 'user { id email createdAt } mode accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt sessionExpiresAt';

/** Settings each mode needs in tests. */
export const modeEnv = (mode: Mode): Record<string, string> =>
  mode === 'jwt' ? { AUTH_MODE: 'jwt' } : { AUTH_MODE: 'session', SESSION_SECRET: 'test-session-secret-of-at-least-32-characters' };

/**
 * One browser or frontend: it keeps whatever credentials the service hands it (bearer and
 * refresh token in JWT mode, the cookie in session mode) and sends them back, as a real
 * client would. The same test then reads the same in both modes.
 */
export class Agent {
  readonly jar = new CookieJar();
  accessToken: string | undefined;
  refreshToken: string | undefined;
  userAgent = 'vitest-agent/1.0';

  constructor(readonly client: ReturnType<typeof createClient>) {}

  async gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GqlResponse<T>> {
    const res = await this.client.gql<T>(query, variables, {
      jar: this.jar,
      bearer: this.accessToken,
      headers: { 'user-agent': this.userAgent, ...headers },
    });
    const data = res.body.data as Record<string, any> | null | undefined;
    for (const field of ['register', 'login', 'refresh', 'changePassword']) {
      const payload = data?.[field];
      if (payload?.accessToken) this.accessToken = payload.accessToken;
      if (payload?.refreshToken) this.refreshToken = payload.refreshToken;
    }
    return res;
  }

  register(email: string, password = PASSWORD, headers?: Record<string, string>) {
    return this.gql(`mutation($i: CredentialsInput!) { register(input: $i) { ${PAYLOAD} } }`, { i: { email, password } }, headers);
  }

  login(email: string, password = PASSWORD, headers?: Record<string, string>) {
    return this.gql(`mutation($i: CredentialsInput!) { login(input: $i) { ${PAYLOAD} } }`, { i: { email, password } }, headers);
  }

  refresh() {
    return this.gql(`mutation($t: String) { refresh(refreshToken: $t) { ${PAYLOAD} } }`, { t: this.refreshToken ?? null });
  }

  me() {
    return this.gql('{ me { id email createdAt } }');
  }

  sessions() {
    return this.gql('{ sessions { id createdAt lastUsedAt expiresAt userAgent ip current } }');
  }

  revoke(scope: 'CURRENT' | 'SESSION' | 'ALL', sessionId?: string) {
    return this.gql('mutation($i: RevokeInput!) { revoke(input: $i) { revoked } }', { i: { scope, sessionId } });
  }

  logout() {
    return this.gql('mutation { logout }');
  }

  changePassword(currentPassword: string, newPassword: string) {
    return this.gql(`mutation($i: ChangePasswordInput!) { changePassword(input: $i) { ${PAYLOAD} } }`, {
      i: { currentPassword, newPassword },
    });
  }

  /** True when this agent's credential still authenticates (sessions needs a login). */
  async isSignedIn(): Promise<boolean> {
    const res = await this.sessions();
    if (res.body.errors?.length) {
      if (errorOf(res).code !== 'UNAUTHENTICATED') throw new Error(`unexpected: ${JSON.stringify(res.body.errors)}`);
      return false;
    }
    return true;
  }

  /** A copy holding the same credentials (a stolen cookie or token, or a second tab). */
  clone(): Agent {
    return this.copyTo(new Agent(this.client));
  }

  /** Gives `copy` this agent's cookies, tokens and User-Agent. */
  protected copyTo<T extends Agent>(copy: T): T {
    for (const [k, v] of this.jar.cookies) copy.jar.cookies.set(k, v);
    copy.accessToken = this.accessToken;
    copy.refreshToken = this.refreshToken;
    copy.userAgent = this.userAgent;
    return copy;
  }
}

let counter = 0;
/** A unique email per call, so tests in a file never collide. */
export const uniqueEmail = (tag = 'user') => `${tag}.${process.pid}.${Date.now()}.${counter++}@example.com`;
export const PASSWORD = 'correct horse battery staple';

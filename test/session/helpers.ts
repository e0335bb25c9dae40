import { createHash, createHmac } from 'node:crypto';
import type { TestApp } from '../helpers/app.js';
import { CookieJar, createClient, errorOf, type GqlResponse } from '../helpers/client.js';

export const SECRET = 'session-test-secret-0123456789abcdef';
export const OLD_SECRET = 'session-test-old-secret-0123456789abcd';
export const PASSWORD = 'correct horse battery staple';

export const sessionEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  AUTH_MODE: 'session',
  SESSION_SECRET: SECRET,
  // These files register dozens of users from one address; the register limit is not under test.
  REGISTER_IP_LIMIT: '100000',
  ...extra,
});

let counter = 0;
export const uniqueEmail = (tag = 'user') => `${tag}.${process.pid}.${Date.now()}.${counter++}@example.com`;

const PAYLOAD = 'user { id email } mode sessionExpiresAt accessToken refreshToken';

/** One browser: a cookie jar and a User-Agent, sending what the service set back to it. */
export class Browser {
  readonly jar = new CookieJar();
  private readonly client: ReturnType<typeof createClient>;

  constructor(
    app: TestApp | string,
    readonly userAgent = 'session-test-browser/1.0',
  ) {
    this.client = createClient(typeof app === 'string' ? app : app.url);
  }

  gql(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GqlResponse> {
    return this.client.gql(query, variables, { jar: this.jar, headers: { 'user-agent': this.userAgent, ...headers } });
  }

  register(email: string, password = PASSWORD, headers?: Record<string, string>) {
    return this.gql(`mutation($i: CredentialsInput!) { register(input: $i) { ${PAYLOAD} } }`, { i: { email, password } }, headers);
  }

  login(email: string, password = PASSWORD, headers?: Record<string, string>) {
    return this.gql(`mutation($i: CredentialsInput!) { login(input: $i) { ${PAYLOAD} } }`, { i: { email, password } }, headers);
  }

  refresh() {
    return this.gql(`mutation { refresh { ${PAYLOAD} } }`);
  }

  me() {
    return this.gql('{ me { id email } }');
  }

  async myEmail(): Promise<string | null> {
    const res = await this.me();
    if (res.body.errors) throw new Error(`me failed: ${JSON.stringify(res.body.errors)}`);
    return res.body.data!.me?.email ?? null;
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

  /** True while `sessions` answers (it needs a live session); UNAUTHENTICATED means signed out. */
  async isSignedIn(): Promise<boolean> {
    const res = await this.sessions();
    if (!res.body.errors) return true;
    if (errorOf(res).code === 'UNAUTHENTICATED') return false;
    throw new Error(`unexpected: ${JSON.stringify(res.body.errors)}`);
  }

  get sid(): string | undefined {
    return this.jar.cookies.get('sid');
  }

  /** A second tab, or a thief, holding the same cookie. */
  clone(app: TestApp | string): Browser {
    const copy = new Browser(app, this.userAgent);
    for (const [k, v] of this.jar.cookies) copy.jar.cookies.set(k, v);
    return copy;
  }
}

/** The session id inside a signed `sid` cookie value (`s:<id>.<signature>`, URL-encoded). */
export function sessionIdOf(cookieValue: string): string {
  const raw = decodeURIComponent(cookieValue);
  if (!raw.startsWith('s:')) throw new Error('not a signed session cookie');
  return raw.slice(2, raw.lastIndexOf('.'));
}

/** A cookie value for `id` signed as express-session (cookie-signature) does. */
export function signedCookie(id: string, secret: string): string {
  const signature = createHmac('sha256', secret).update(id).digest('base64').replace(/=+$/, '');
  return encodeURIComponent(`s:${id}.${signature}`);
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The state-store key the service keeps a browser's session under (the id's SHA-256). */
export const storeKeyOf = (browser: Browser) => `sess:${sha256(sessionIdOf(browser.sid!))}`;

/** The stored session record of a browser, read through the app's own state store. */
export async function storedRecord(app: TestApp, browser: Browser): Promise<Record<string, unknown> | null> {
  const text = await app.running.stateStore.get(storeKeyOf(browser));
  return text ? (JSON.parse(text) as Record<string, unknown>) : null;
}

export const setCookieOf = (res: GqlResponse) => res.headers.getSetCookie().find((c) => c.startsWith('sid=')) ?? null;

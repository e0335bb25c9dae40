import { createHash, createHmac } from 'node:crypto';
import type { TestApp } from '../helpers/app.js';
import { Agent, PASSWORD, uniqueEmail } from '../helpers/agent.js';
import { createClient, type GqlResponse } from '../helpers/client.js';

export const SECRET = 'session-test-secret-0123456789abcdef';
export const OLD_SECRET = 'session-test-old-secret-0123456789abcd';

export { PASSWORD, uniqueEmail };

export const sessionEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  AUTH_MODE: 'session',
  SESSION_SECRET: SECRET,
  // These files register dozens of users from one address; the register limit is not under test.
  REGISTER_IP_LIMIT: '100000',
  ...extra,
});

/**
 * One browser: an Agent (cookie jar, User-Agent, the same queries) on its own client for an app
 * or URL, with session-specific helpers.
 */
export class Browser extends Agent {
  constructor(app: TestApp | string, userAgent = 'session-test-browser/1.0') {
    super(createClient(typeof app === 'string' ? app : app.url));
    this.userAgent = userAgent;
  }

  async myEmail(): Promise<string | null> {
    const res = await this.me();
    if (res.body.errors) throw new Error(`me failed: ${JSON.stringify(res.body.errors)}`);
    return res.body.data!.me?.email ?? null;
  }

  get sid(): string | undefined {
    return this.jar.cookies.get('sid');
  }

  /** A second tab, or a thief, holding the same cookie (on another instance when given). */
  override clone(app: TestApp | string = this.client.baseUrl): Browser {
    return this.copyTo(new Browser(app, this.userAgent));
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

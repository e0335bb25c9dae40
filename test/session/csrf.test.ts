import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/backends.js';
import { Browser, PASSWORD, sessionEnv, uniqueEmail } from './helpers.js';

/**
 * A cookie rides along on a cross-site form post; SameSite=Lax and Apollo's CSRF prevention
 * make sure such "simple" requests never run a mutation.
 */
describe.each(backends)('CSRF in session mode on $name', (backend) => {
  let harness: Awaited<ReturnType<typeof createHarness>>;
  let app: TestApp;

  beforeAll(async () => {
    harness = await createHarness(backend);
    app = await harness.start(sessionEnv());
  });
  afterAll(async () => harness.stop());

  const registerQuery = (email: string) => `mutation { register(input: {email: "${email}", password: "${PASSWORD}"}) { mode } }`;

  /** The ways a page on another site can post without a preflight. */
  const simpleBodies = (query: string): Array<[string, string, RequestInit['body']]> => {
    const form = new FormData();
    form.set('query', query);
    return [
      ['text/plain', 'text/plain', JSON.stringify({ query })],
      ['form-encoded', 'application/x-www-form-urlencoded', new URLSearchParams({ query }).toString()],
      ['multipart', '', form],
    ];
  };

  async function post(contentType: string, body: RequestInit['body'], cookie?: string): Promise<Response> {
    const headers: Record<string, string> = {};
    if (contentType) headers['content-type'] = contentType;
    if (cookie) headers.cookie = cookie;
    return fetch(`${app.url}/graphql`, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
  }

  it.each(['text/plain', 'form-encoded', 'multipart'])('refuses a register sent as %s and creates nobody', async (kind) => {
    const email = uniqueEmail(`csrf-${kind}`);
    const [, type, body] = simpleBodies(registerQuery(email)).find(([k]) => k === kind)!;
    const res = await post(type, body);
    expect(res.status).toBe(400);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await app.running.database.prisma.user.count({ where: { email } })).toBe(0);
  });

  it('refuses logout and revoke-all sent as simple requests with a valid cookie; the session lives on', async () => {
    const b = new Browser(app);
    await b.register(uniqueEmail('csrf-victim'));
    const cookie = b.jar.header()!;
    for (const query of ['mutation { logout }', 'mutation { revoke(input: {scope: ALL}) { revoked } }']) {
      for (const [, type, body] of simpleBodies(query)) {
        const res = await post(type, body, cookie);
        expect(res.status).toBe(400);
        expect(res.headers.get('set-cookie')).toBeNull();
      }
    }
    expect(await b.isSignedIn()).toBe(true);
  });

  it('refuses a mutation over GET', async () => {
    const b = new Browser(app);
    await b.register(uniqueEmail('csrf-get'));
    const res = await fetch(`${app.url}/graphql?query=${encodeURIComponent('mutation { logout }')}`, {
      headers: { cookie: b.jar.header()!, 'apollo-require-preflight': 'true' },
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(await b.isSignedIn()).toBe(true);
  });
});

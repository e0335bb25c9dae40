import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { createHarness, type TestApp } from '../helpers/app.js';
import { Agent, expectRefused, jwtEnv, ME, PASSWORD, uniqueEmail } from './support/jwt-helpers.js';

const cookieLine = (headers: Headers, name: string) => headers.getSetCookie().find((line) => line.startsWith(`${name}=`));

describe.each(backends)('TOKEN_DELIVERY=cookie on $name', (backend) => {
  let harness: Awaited<ReturnType<typeof createHarness>>;
  let app: TestApp;

  beforeAll(async () => {
    harness = await createHarness(backend);
    app = await harness.start(jwtEnv({ TOKEN_DELIVERY: 'cookie' }));
  });
  afterAll(async () => harness.stop());

  async function browser(): Promise<Agent> {
    const agent = new Agent(app.client);
    const res = await agent.register(uniqueEmail('cookie'), PASSWORD);
    expect(res.body.errors).toBeUndefined();
    return agent;
  }

  it('sets both tokens as HttpOnly SameSite=Strict cookies, the refresh one scoped to /graphql, and not in the body', async () => {
    const agent = new Agent(app.client);
    const res = await agent.register(uniqueEmail('cookie'), PASSWORD);
    expect(res.body.data?.register).toMatchObject({ accessToken: null, refreshToken: null });
    expect(res.body.data?.register.accessTokenExpiresAt).toEqual(expect.any(String));
    const access = cookieLine(res.headers, 'access_token')!;
    const refresh = cookieLine(res.headers, 'refresh_token')!;
    expect(access).toMatch(/; Max-Age=(899|900);/); // until the token expires
    expect(access).toMatch(/; Path=\/;/);
    expect(refresh).toMatch(/; Path=\/graphql;/);
    for (const line of [access, refresh]) {
      expect(line).toMatch(/; HttpOnly/);
      expect(line).toMatch(/; SameSite=Strict/);
      expect(line).not.toMatch(/; Secure/); // not production
    }
    expect((await agent.gql(ME)).body.data?.me?.id).toBe(res.body.data?.register.user.id);
  });

  it('refreshes from the refresh cookie and rotates both cookies', async () => {
    const agent = await browser();
    const before = new Map(agent.jar.cookies);
    const res = await agent.refresh();
    expect(res.body.errors).toBeUndefined();
    expect(agent.jar.cookies.get('refresh_token')).not.toBe(before.get('refresh_token'));
    expect(agent.jar.cookies.get('access_token')).not.toBe(before.get('access_token'));
    expect((await agent.gql(ME)).body.data?.me).not.toBeNull();
  });

  it('refuses cross-site style requests carrying the cookies: they have no effect', async () => {
    const agent = await browser();
    const cookie = agent.jar.header()!;
    const attempts: RequestInit[] = [
      { method: 'POST', headers: { 'content-type': 'text/plain', cookie }, body: JSON.stringify({ query: 'mutation { revoke(input: { scope: ALL }) { revoked } }' }) },
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body: 'query=mutation%20%7B%20logout%20%7D' },
      { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x', cookie }, body: '--x\r\nContent-Disposition: form-data; name="query"\r\n\r\nmutation { logout }\r\n--x--\r\n' },
    ];
    for (const init of attempts) {
      const res = await app.client.raw('/graphql', init);
      expect(res.status).toBe(400);
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    const get = await app.client.raw(`/graphql?query=${encodeURIComponent('mutation { logout }')}`, { headers: { cookie } });
    expect(get.status).toBeGreaterThanOrEqual(400);
    // Still signed in: none of them revoked anything.
    expect((await agent.gql(ME)).body.data?.me).not.toBeNull();
    expect(await agent.isSignedIn()).toBe(true);
  });

  it('logout clears both cookies and ends the login', async () => {
    const agent = await browser();
    const stolen = agent.jar.header()!;
    const res = await agent.logout();
    expect(res.body.data?.logout).toBe(true);
    const cleared = res.headers.getSetCookie();
    expect(cleared.some((l) => /^access_token=;.*Expires=Thu, 01 Jan 1970/.test(l))).toBe(true);
    expect(cleared.some((l) => /^refresh_token=;.*Path=\/graphql/.test(l))).toBe(true);
    expect(agent.jar.cookies.size).toBe(0);
    expect((await agent.gql(ME)).body.data?.me).toBeNull();
    expectRefused(await app.client.gql(ME, {}, { headers: { cookie: stolen } }), 'REVOKED');
  });

  it('marks the cookies Secure in production', async () => {
    const prod = await harness.startPeer(app, jwtEnv({ TOKEN_DELIVERY: 'cookie', NODE_ENV: 'production' }));
    const res = await new Agent(prod.client).register(uniqueEmail('prod'), PASSWORD);
    expect(cookieLine(res.headers, 'access_token')).toMatch(/; Secure/);
    expect(cookieLine(res.headers, 'refresh_token')).toMatch(/; Secure/);
    await prod.stop();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/backends.js';
import { CookieJar, createClient, errorOf } from '../helpers/client.js';
import { Browser, PASSWORD, sessionEnv, uniqueEmail } from './helpers.js';

/** Signing keys live in the database, encrypted: every JWT-mode start needs the same key. */
const KEY_ENCRYPTION_KEY = 'a1'.repeat(32);
const jwtEnv = (extra: Record<string, string> = {}) => ({ AUTH_MODE: 'jwt', KEY_ENCRYPTION_KEY, REGISTER_IP_LIMIT: '100000', ...extra });
const LOGIN = `mutation($i: CredentialsInput!) { login(input: $i) { mode accessToken user { email } } }`;
const REGISTER = `mutation($i: CredentialsInput!) { register(input: $i) { mode accessToken user { email } } }`;

/** Users live in the database, so AUTH_MODE can change between restarts without losing anyone. */
describe.each(backends)('switching AUTH_MODE on $name', (backend) => {
  let harness: Awaited<ReturnType<typeof createHarness>>;

  beforeAll(async () => {
    harness = await createHarness(backend);
  });
  afterAll(async () => harness.stop());

  async function jwtLogin(app: TestApp, email: string) {
    const res = await app.client.gql(LOGIN, { i: { email, password: PASSWORD } });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.login.mode).toBe('JWT');
    const me = await app.client.gql('{ me { email } }', {}, { bearer: res.body.data!.login.accessToken });
    expect(me.body.data!.me.email).toBe(email);
  }

  it('a user registered under jwt signs in under session after a restart, and back', async () => {
    const jwtUser = uniqueEmail('from-jwt');
    const jwt = await harness.start(jwtEnv());
    expect((await jwt.client.gql(REGISTER, { i: { email: jwtUser, password: PASSWORD } })).body.errors).toBeUndefined();
    await jwt.stop();

    const session = await harness.start(sessionEnv());
    const b = new Browser(session);
    const login = await b.login(jwtUser);
    expect(login.body.errors).toBeUndefined();
    expect(login.body.data!.login.mode).toBe('SESSION');
    expect(await b.myEmail()).toBe(jwtUser);
    const sessionUser = uniqueEmail('from-session');
    expect((await new Browser(session).register(sessionUser)).body.errors).toBeUndefined();
    await session.stop();

    const jwtAgain = await harness.start(jwtEnv());
    await jwtLogin(jwtAgain, jwtUser);
    await jwtLogin(jwtAgain, sessionUser);
    await jwtAgain.stop();
  });

  it('ignores JWT-mode credentials (bearer, access and refresh cookies) in session mode', async () => {
    const email = uniqueEmail('jwt-creds');
    const jwt = await harness.start(jwtEnv({ TOKEN_DELIVERY: 'cookie' }));
    const jwtJar = new CookieJar();
    const reg = await jwt.client.gql(REGISTER, { i: { email, password: PASSWORD } }, { jar: jwtJar });
    expect(reg.body.errors).toBeUndefined();
    expect(jwtJar.cookies.size).toBeGreaterThan(0);
    const header = await harness.start(jwtEnv());
    const bearer = (await header.client.gql(LOGIN, { i: { email, password: PASSWORD } })).body.data!.login.accessToken as string;
    const session = await harness.start(sessionEnv());
    const client = createClient(session.url);
    const accessCookie = [...jwtJar.cookies.values()][0]!;
    const attempts = [
      { jar: jwtJar },
      { bearer },
      { headers: { cookie: `sid=${accessCookie}` } },
      { headers: { cookie: `sid=${encodeURIComponent(`s:${bearer}`)}` } },
    ];
    for (const options of attempts) {
      const me = await client.gql('{ me { email } }', {}, options);
      expect(me.status).toBe(200);
      expect(me.body).toEqual({ data: { me: null } });
      expect(errorOf(await client.gql('{ sessions { id } }', {}, options))).toMatchObject({ code: 'UNAUTHENTICATED' });
      const refresh = await client.gql('mutation { refresh { mode } }', {}, options);
      expect(errorOf(refresh).code).toBe('UNAUTHENTICATED');
    }
    for (const app of [jwt, header, session]) await app.stop();
  });
});

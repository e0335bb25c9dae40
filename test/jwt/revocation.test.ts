import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { createHarness, TestClock, type TestApp } from '../helpers/app.js';
import { errorOf } from '../helpers/client.js';
import { Agent, decodePart, expectRefused, jwtEnv, ME, PASSWORD, signedIn, strategyOf, within } from './support/jwt-helpers.js';

/** A second login of the same user, from another device. */
async function secondLogin(app: TestApp, email: string): Promise<Agent> {
  const device = new Agent(app.client);
  expect((await device.login(email, PASSWORD)).body.errors).toBeUndefined();
  return device;
}

const sidOf = (agent: Agent) => decodePart(agent.accessToken!, 1).sid as string;

describe.each(backends)('revocation on $name', (backend) => {
  let harness: Awaited<ReturnType<typeof createHarness>>;
  let app: TestApp;
  let clock: TestClock;

  beforeAll(async () => {
    harness = await createHarness(backend);
    // A frozen clock: every login and revocation below happens in the same second, the
    // hardest case for a one-second `iat` watermark.
    clock = new TestClock(Math.floor(Date.now() / 1000) * 1000 + 400);
    app = await harness.start(jwtEnv(), { clock });
  });
  afterAll(async () => harness.stop());

  it('revoke CURRENT refuses this login at once (REVOKED) and leaves the others', async () => {
    const phone = await signedIn(app);
    const laptop = await secondLogin(app, phone.email);
    expect((await phone.revoke('CURRENT')).body.data?.revoke.revoked).toBe(1);
    expectRefused(await phone.gql(ME), 'REVOKED');
    expectRefused(await phone.refresh(), 'REVOKED');
    expect((await laptop.gql(ME)).body.data?.me?.id).toBe(phone.userId);
  });

  it('revoke SESSION ends another login of mine; not someone else’s; not an unknown id', async () => {
    const phone = await signedIn(app);
    const laptop = await secondLogin(app, phone.email);
    const stranger = await signedIn(app, 'stranger');
    expect(errorOf(await phone.revoke('SESSION', sidOf(stranger))).code).toBe('FORBIDDEN');
    expect(errorOf(await phone.revoke('SESSION', 'not-a-uuid')).code).toBe('BAD_USER_INPUT');
    expect(errorOf(await phone.revoke('SESSION', '00000000-0000-4000-8000-000000000000')).code).toBe('BAD_USER_INPUT');
    expect((await phone.revoke('SESSION', sidOf(laptop))).body.data?.revoke.revoked).toBe(1);
    expectRefused(await laptop.gql(ME), 'REVOKED');
    expect((await phone.gql(ME)).body.data?.me?.id).toBe(phone.userId);
    expect((await stranger.gql(ME)).body.data?.me?.id).toBe(stranger.userId);
  });

  it('revoke ALL ends every login with one watermark, and a login in the same second works', async () => {
    const phone = await signedIn(app);
    const laptop = await secondLogin(app, phone.email);
    const tablet = await secondLogin(app, phone.email);
    expect((await phone.revoke('ALL')).body.data?.revoke.revoked).toBe(3);
    for (const device of [phone, laptop, tablet]) {
      expectRefused(await device.gql(ME), 'REVOKED');
      expectRefused(await device.refresh(), 'REVOKED');
    }
    const user = await app.running.database.prisma.user.findUniqueOrThrow({ where: { id: phone.userId } });
    expect(user.tokensValidAfter?.getTime()).toBe(clock.now());
    const again = await secondLogin(app, phone.email);
    expect((await again.gql(ME)).body.data?.me?.id).toBe(phone.userId);
    // A refresh of the new login in that same second hands out a token that works too.
    expect((await again.refresh()).body.errors).toBeUndefined();
    expect((await again.gql(ME)).body.data?.me?.id).toBe(phone.userId);
  });

  it('changePassword ends every other login and hands this one a working pair', async () => {
    const phone = await signedIn(app);
    const laptop = await secondLogin(app, phone.email);
    const old = phone.accessToken!;
    const res = await phone.changePassword(PASSWORD, 'a brand new passphrase 42');
    expect(res.body.errors).toBeUndefined();
    expect((await phone.gql(ME)).body.data?.me?.id).toBe(phone.userId);
    expectRefused(await app.client.gql(ME, {}, { bearer: old }), 'REVOKED');
    expectRefused(await laptop.gql(ME), 'REVOKED');
    expectRefused(await laptop.refresh(), 'REVOKED');
  });

  it('logout refuses the access token and the refresh token', async () => {
    const agent = await signedIn(app);
    const { accessToken, refreshToken } = agent;
    expect((await agent.logout()).body.data?.logout).toBe(true);
    expectRefused(await app.client.gql(ME, {}, { bearer: accessToken! }), 'REVOKED');
    expectRefused(await app.client.gql('mutation($t: String) { refresh(refreshToken: $t) { accessToken } }', { t: refreshToken }), 'REVOKED');
  });

  it('sessions lists live logins, marks the current one, and drops revoked ones', async () => {
    const phone = await signedIn(app);
    const laptop = await secondLogin(app, phone.email);
    const list = (await phone.sessions()).body.data!.sessions as Array<{ id: string; current: boolean; userAgent: string; ip: string }>;
    expect(list.map((s) => s.id).sort()).toEqual([sidOf(phone), sidOf(laptop)].sort());
    expect(list.find((s) => s.current)?.id).toBe(sidOf(phone));
    expect(list[0]).toMatchObject({ userAgent: 'vitest-agent/1.0', ip: expect.any(String) });
    await laptop.logout();
    const after = (await phone.sessions()).body.data!.sessions as Array<{ id: string }>;
    expect(after.map((s) => s.id)).toEqual([sidOf(phone)]);
  });

  it('needs a login for sessions, revoke, logout and changePassword', async () => {
    const anonymous = new Agent(app.client);
    for (const res of [await anonymous.sessions(), await anonymous.revoke('ALL'), await anonymous.logout()]) {
      expectRefused(res, 'MISSING');
    }
  });

  it('a new instance learns existing revocations from the database at start', async () => {
    const agent = await signedIn(app);
    await agent.revoke('CURRENT');
    const late = await harness.startPeer(app, jwtEnv(), { clock });
    expectRefused(await late.client.gql(ME, {}, { bearer: agent.accessToken! }), 'REVOKED');
    await late.stop();
  });

  it('forgets denylist entries once every token they cover has expired', async () => {
    const agent = await signedIn(app);
    await agent.revoke('CURRENT');
    const id = `sid:${sidOf(agent)}`;
    const prisma = app.running.database.prisma;
    expect(await prisma.revocation.findUnique({ where: { id } })).not.toBeNull();
    const saved = clock.now();
    clock.advance(app.running.config.jwt.accessTtlMs + 10 * 60_000);
    await strategyOf(app).maintain();
    expect(await prisma.revocation.findUnique({ where: { id } })).toBeNull();
    clock.set(saved);
  });
});

describe.each(backends)('two instances on one database and state store on $name', (backend) => {
  let harness: Awaited<ReturnType<typeof createHarness>>;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    harness = await createHarness(backend);
    a = await harness.start(jwtEnv());
    b = await harness.startPeer(a, jwtEnv());
  });
  afterAll(async () => harness.stop());

  it('a token from A works on B, and the JWKS agree', async () => {
    const agent = await signedIn(a);
    expect((await b.client.gql(ME, {}, { bearer: agent.accessToken! })).body.data?.me?.id).toBe(agent.userId);
    const jwks = async (app: TestApp) => ((await (await app.client.raw('/.well-known/jwks.json')).json()) as { keys: unknown[] }).keys;
    expect(await jwks(b)).toEqual(await jwks(a));
  });

  it.each(['CURRENT', 'ALL'] as const)('revoke %s on A is refused on B within 1 s', async (scope) => {
    const agent = await signedIn(a);
    const onB = () => b.client.gql(ME, {}, { bearer: agent.accessToken! });
    expect((await onB()).body.data?.me?.id).toBe(agent.userId); // now cached as verified on B
    const start = performance.now();
    expect((await agent.revoke(scope)).body.errors).toBeUndefined();
    const revokedIn = performance.now() - start;
    // Counted from the moment the revoke request was sent.
    const refusedAfter = revokedIn + (await within(1_000 - revokedIn, async () => errorOf(await onB()).reason === 'REVOKED', 5));
    console.log(`[measure] ${backend.name}: revoke ${scope} on A refused on B ${refusedAfter.toFixed(1)} ms after the request was sent`);
  });

  it('a refresh-token replay on B revokes the login on A within 1 s', async () => {
    const strictB = await harness.startPeer(a, jwtEnv({ REFRESH_REUSE_GRACE: '0' }));
    const agent = await signedIn(a);
    const original = agent.refreshToken!;
    await agent.refresh();
    const replay = await strictB.client.gql('mutation($t: String) { refresh(refreshToken: $t) { accessToken } }', { t: original });
    expectRefused(replay, 'REUSED');
    await within(1_000, async () => errorOf(await agent.gql(ME)).reason === 'REVOKED', 5);
    await strictB.stop();
  });
});

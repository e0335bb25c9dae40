import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { createHarness, TestClock, type TestApp } from '../helpers/app.js';
import { errorOf } from '../helpers/client.js';
import { Agent, decodePart, expectRefused, jwtEnv, ME, signedIn } from './support/jwt-helpers.js';

const REFRESH = 'mutation($t: String) { refresh(refreshToken: $t) { accessToken refreshToken refreshTokenExpiresAt user { id } } }';

/** Presents a refresh token without touching any agent's state. */
const refreshWith = (app: TestApp, token: string | null, headers: Record<string, string> = {}) =>
  app.client.gql(REFRESH, { t: token }, { headers: { 'user-agent': 'vitest-agent/1.0', ...headers } });

describe.each(backends)('refresh tokens on $name', (backend) => {
  let harness: Awaited<ReturnType<typeof createHarness>>;
  let app: TestApp;

  beforeAll(async () => {
    harness = await createHarness(backend);
    app = await harness.start(jwtEnv());
  });
  afterAll(async () => harness.stop());

  it('exchanges a refresh token for a new pair in the same login', async () => {
    const agent = await signedIn(app);
    const first = { access: agent.accessToken!, refresh: agent.refreshToken! };
    const res = await agent.refresh();
    expect(res.body.errors).toBeUndefined();
    expect(agent.refreshToken).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
    expect(agent.refreshToken).not.toBe(first.refresh);
    expect(agent.accessToken).not.toBe(first.access);
    expect(decodePart(agent.accessToken!, 1).sid).toBe(decodePart(first.access, 1).sid);
    expect((await agent.gql(ME)).body.data?.me?.id).toBe(agent.userId);
  });

  it('stores refresh tokens only as SHA-256 hashes', async () => {
    const agent = await signedIn(app);
    const rows = await app.running.database.prisma.refreshToken.findMany();
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.tokenHash))).toBe(true);
    expect(rows.some((r) => r.tokenHash.includes(agent.refreshToken!.slice(3, 20)))).toBe(false);
  });

  it('answers MISSING without a token and INVALID for random, malformed or empty ones', async () => {
    expectRefused(await refreshWith(app, null), 'MISSING');
    expectRefused(await refreshWith(app, `rt_${Buffer.alloc(32, 7).toString('base64url')}`), 'INVALID');
    expectRefused(await refreshWith(app, 'rt_short'), 'INVALID');
    expectRefused(await refreshWith(app, ''), 'INVALID');
    expectRefused(await refreshWith(app, 'x'.repeat(100_000)), 'INVALID');
    const agent = await signedIn(app); // and the service goes on serving
    expect((await agent.refresh()).body.errors).toBeUndefined();
  });

  it('refuses the refresh token of a logged-out login (REVOKED) and of a family revoked from elsewhere', async () => {
    const agent = await signedIn(app);
    const token = agent.refreshToken!;
    expect((await agent.logout()).body.data?.logout).toBe(true);
    expectRefused(await refreshWith(app, token), 'REVOKED');

    const other = await signedIn(app);
    const second = new Agent(app.client);
    await second.login(other.email, 'correct horse battery staple');
    const sid = decodePart(second.accessToken!, 1).sid;
    expect((await other.revoke('SESSION', sid)).body.data?.revoke.revoked).toBe(1);
    expectRefused(await refreshWith(app, second.refreshToken!), 'REVOKED');
    expectRefused(await second.gql(ME), 'REVOKED');
    expect((await other.gql(ME)).body.data?.me?.id).toBe(other.userId);
  });

  it('treats a replay within REFRESH_REUSE_GRACE as a concurrent refresh, and after it as theft', async () => {
    const clock = new TestClock();
    const timed = await harness.startPeer(app, jwtEnv({ REFRESH_REUSE_GRACE: '10s' }), { clock });
    const agent = await signedIn(timed);
    const original = agent.refreshToken!;
    await agent.refresh();
    clock.advance(5_000);
    const concurrent = await refreshWith(timed, original);
    expect(concurrent.body.errors).toBeUndefined();
    expect(decodePart(concurrent.body.data!.refresh.accessToken, 1).sid).toBe(decodePart(agent.accessToken!, 1).sid);

    clock.advance(6_000);
    expectRefused(await refreshWith(timed, original), 'REUSED');
    // The whole family is gone: both live refresh tokens and every access token of it.
    expectRefused(await agent.refresh(), 'REVOKED');
    expectRefused(await refreshWith(timed, concurrent.body.data!.refresh.refreshToken), 'REVOKED');
    expectRefused(await agent.gql(ME), 'REVOKED');
    expectRefused(await timed.client.gql(ME, {}, { bearer: concurrent.body.data!.refresh.accessToken }), 'REVOKED');
    // And so on every instance at once.
    expectRefused(await app.client.gql(ME, {}, { bearer: agent.accessToken! }), 'REVOKED');
    const family = await timed.running.database.prisma.refreshFamily.findUniqueOrThrow({ where: { id: decodePart(agent.accessToken!, 1).sid } });
    expect(family.revokedReason).toBe('reuse');
  });

  it('ends a login REFRESH_TOKEN_TTL after it began, however often it was refreshed', async () => {
    const clock = new TestClock();
    const timed = await harness.startPeer(app, jwtEnv({ REFRESH_TOKEN_TTL: '1h' }), { clock });
    const agent = await signedIn(timed);
    const started = clock.now();
    const first = await agent.refresh();
    for (let i = 0; i < 3; i++) {
      clock.advance(15 * 60_000);
      expect((await agent.refresh()).body.errors).toBeUndefined();
    }
    const last = await agent.refresh();
    expect(last.body.data!.refresh.refreshTokenExpiresAt).toBe(first.body.data!.refresh.refreshTokenExpiresAt);
    expect(new Date(last.body.data!.refresh.refreshTokenExpiresAt).getTime()).toBe(started + 3_600_000);
    clock.set(started + 3_600_000);
    expectRefused(await agent.refresh(), 'EXPIRED');
  });

  it('never half-applies a refresh: a failure after the token is consumed rolls the consumption back', async () => {
    const agent = await signedIn(app);
    const token = agent.refreshToken!;
    const prisma = app.running.database.prisma;
    await prisma.$executeRawUnsafe(`CREATE OR REPLACE FUNCTION jwt_test_fail() RETURNS trigger AS $$
      BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql`);
    await prisma.$executeRawUnsafe('CREATE TRIGGER jwt_test_fail BEFORE INSERT ON "RefreshToken" FOR EACH ROW EXECUTE FUNCTION jwt_test_fail()');
    try {
      const failed = await refreshWith(app, token);
      expect(errorOf(failed).code).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      await prisma.$executeRawUnsafe('DROP TRIGGER jwt_test_fail ON "RefreshToken"');
      await prisma.$executeRawUnsafe('DROP FUNCTION jwt_test_fail()');
    }
    const row = await prisma.refreshToken.findFirstOrThrow({ where: { familyId: decodePart(agent.accessToken!, 1).sid } });
    expect(row.usedAt).toBeNull();
    const retry = await refreshWith(app, token);
    expect(retry.body.errors).toBeUndefined();
  });
});

describe.each(backends)('20 parallel refreshes with one token on $name', (backend) => {
  let harness: Awaited<ReturnType<typeof createHarness>>;
  let app: TestApp;

  beforeAll(async () => {
    harness = await createHarness(backend);
    app = await harness.start(jwtEnv());
  });
  afterAll(async () => harness.stop());

  it('with REFRESH_REUSE_GRACE=0: exactly one new pair, 19 REUSED, and the family revoked', async () => {
    const strict = await harness.startPeer(app, jwtEnv({ REFRESH_REUSE_GRACE: '0' }));
    const agent = await signedIn(strict);
    const results = await Promise.all(Array.from({ length: 20 }, () => refreshWith(strict, agent.refreshToken!)));
    const winners = results.filter((r) => !r.body.errors);
    const reasons = results.filter((r) => r.body.errors).map((r) => errorOf(r).reason);
    expect(winners).toHaveLength(1);
    expect(reasons).toEqual(Array(19).fill('REUSED'));
    const won = winners[0]!.body.data!.refresh;
    expectRefused(await refreshWith(strict, won.refreshToken), 'REVOKED');
    expectRefused(await strict.client.gql(ME, {}, { bearer: won.accessToken }), 'REVOKED');
    expectRefused(await agent.gql(ME), 'REVOKED');
  });

  it('with the default grace: 20 valid pairs of the same login and no alarm', async () => {
    const agent = await signedIn(app);
    const sid = decodePart(agent.accessToken!, 1).sid;
    const results = await Promise.all(Array.from({ length: 20 }, () => refreshWith(app, agent.refreshToken!)));
    expect(results.map((r) => errorOf(r).code)).toEqual(Array(20).fill(undefined));
    const pairs = results.map((r) => r.body.data!.refresh);
    expect(new Set(pairs.map((p) => p.refreshToken)).size).toBe(20);
    for (const pair of pairs) {
      expect(decodePart(pair.accessToken, 1).sid).toBe(sid);
      expect((await app.client.gql(ME, {}, { bearer: pair.accessToken })).body.data?.me?.id).toBe(agent.userId);
    }
    const family = await app.running.database.prisma.refreshFamily.findUniqueOrThrow({ where: { id: sid } });
    expect(family.revokedAt).toBeNull();
    expect((await refreshWith(app, pairs[7]!.refreshToken)).body.errors).toBeUndefined();
    expect((await agent.gql(ME)).body.data?.me?.id).toBe(agent.userId);
  });
});

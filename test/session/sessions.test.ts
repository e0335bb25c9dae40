import { createClient as createRedisClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type TestApp } from '../helpers/app.js';
import { backends, TEST_REDIS_URL } from '../helpers/backends.js';
import { errorOf } from '../helpers/client.js';
import { Browser, PASSWORD, sessionEnv, sessionIdOf, storeKeyOf, uniqueEmail } from './helpers.js';

type SessionRow = { id: string; current: boolean; userAgent: string; ip: string; lastUsedAt: string };

/** Logout, the per-user index (list, revoke one, revoke all, change password) and rotation races. */
describe.each(backends)('sessions of a user on $name', (backend) => {
  let harness: Awaited<ReturnType<typeof createHarness>>;
  let app: TestApp;

  beforeAll(async () => {
    harness = await createHarness(backend);
    app = await harness.start(sessionEnv());
  });
  afterAll(async () => harness.stop());

  /** Session keys as the store itself holds them (a separate client on Redis). */
  async function storedKeys(): Promise<string[]> {
    if (backend.name === 'embedded') throw new Error('only on Redis');
    const redis = createRedisClient({ url: TEST_REDIS_URL });
    await redis.connect();
    try {
      return await redis.keys(`${app.running.config.redisKeyPrefix}sess:*`);
    } finally {
      await redis.close();
    }
  }

  async function devices(count: number, tag: string) {
    const email = uniqueEmail(tag);
    const list = Array.from({ length: count }, (_, i) => new Browser(app, `device-${i}/1.0`));
    expect((await list[0]!.register(email)).body.errors).toBeUndefined();
    for (const d of list.slice(1)) expect((await d.login(email)).body.errors).toBeUndefined();
    return { email, list };
  }

  it('logout deletes the server-side session and clears the cookie', async () => {
    const b = new Browser(app);
    await b.register(uniqueEmail('logout'));
    const key = storeKeyOf(b);
    const stolen = b.clone(app);
    expect(await app.running.stateStore.get(key)).not.toBeNull();
    if (backend.name !== 'embedded') expect(await storedKeys()).toContain(app.running.config.redisKeyPrefix + key);
    const res = await b.logout();
    expect(res.body).toEqual({ data: { logout: true } });
    expect(res.headers.getSetCookie().find((c) => c.startsWith('sid='))).toMatch(/^sid=;.*Expires=Thu, 01 Jan 1970/);
    expect(b.sid).toBeUndefined();
    expect(await app.running.stateStore.get(key)).toBeNull();
    if (backend.name !== 'embedded') expect(await storedKeys()).not.toContain(app.running.config.redisKeyPrefix + key);
    expect(await stolen.isSignedIn()).toBe(false);
  });

  it('lists live sessions by public id, never the cookie value, with the caller marked current', async () => {
    const { list } = await devices(3, 'list');
    const res = await list[1]!.sessions();
    const rows = res.body.data!.sessions as SessionRow[];
    expect(rows).toHaveLength(3);
    expect(rows.filter((r) => r.current).map((r) => r.userAgent)).toEqual(['device-1/1.0']);
    expect(rows.map((r) => r.userAgent).sort()).toEqual(['device-0/1.0', 'device-1/1.0', 'device-2/1.0']);
    const cookieIds = list.map((d) => sessionIdOf(d.sid!));
    for (const row of rows) {
      expect(cookieIds).not.toContain(row.id);
      expect(JSON.stringify(res.body)).not.toContain(cookieIds[0]);
      expect(row.ip).toBe('127.0.0.1');
    }
  });

  it('revokes one of my sessions by id; the others go on', async () => {
    const { list } = await devices(3, 'revoke-one');
    const rows = (await list[0]!.sessions()).body.data!.sessions as SessionRow[];
    const target = rows.find((r) => r.userAgent === 'device-2/1.0')!;
    expect((await list[0]!.revoke('SESSION', target.id)).body.data).toEqual({ revoke: { revoked: 1 } });
    expect(await list[2]!.isSignedIn()).toBe(false);
    expect(await list[0]!.isSignedIn()).toBe(true);
    expect(await list[1]!.isSignedIn()).toBe(true);
    expect((await list[1]!.sessions()).body.data!.sessions).toHaveLength(2);
    // Revoked is gone for good: the id is now unknown.
    expect(errorOf(await list[0]!.revoke('SESSION', target.id)).code).toBe('BAD_USER_INPUT');
  });

  it('revoke CURRENT ends the caller\'s session and clears its cookie', async () => {
    const { list } = await devices(2, 'revoke-current');
    const res = await list[0]!.revoke('CURRENT');
    expect(res.body.data).toEqual({ revoke: { revoked: 1 } });
    expect(list[0]!.sid).toBeUndefined();
    expect(await list[1]!.isSignedIn()).toBe(true);
  });

  it('refuses another user\'s session id with FORBIDDEN and an unknown one with BAD_USER_INPUT, changing nothing', async () => {
    const alice = new Browser(app);
    await alice.register(uniqueEmail('alice'));
    const bob = new Browser(app);
    await bob.register(uniqueEmail('bob'));
    const bobSession = ((await bob.sessions()).body.data!.sessions as SessionRow[])[0]!.id;
    const forbidden = await alice.revoke('SESSION', bobSession);
    expect(errorOf(forbidden).code).toBe('FORBIDDEN');
    expect(forbidden.body.data).toBeNull();
    for (const id of ['no-such-session', '00000000-0000-4000-8000-000000000000', 'x'.repeat(10_000), sessionIdOf(bob.sid!)]) {
      expect(errorOf(await alice.revoke('SESSION', id)).code).toBe('BAD_USER_INPUT');
    }
    expect(await bob.isSignedIn()).toBe(true);
    expect(await alice.isSignedIn()).toBe(true);
  });

  it('revoke ALL ends every session of the user, on every device, and none of anyone else\'s', async () => {
    const { email, list } = await devices(4, 'all');
    const bystander = new Browser(app);
    await bystander.register(uniqueEmail('bystander'));
    const keys = list.map(storeKeyOf);
    const res = await list[3]!.revoke('ALL');
    expect(res.body.data).toEqual({ revoke: { revoked: 4 } });
    for (const d of list) expect(await d.isSignedIn()).toBe(false);
    for (const key of keys) expect(await app.running.stateStore.get(key)).toBeNull();
    expect(await bystander.isSignedIn()).toBe(true);
    const again = new Browser(app);
    await again.login(email);
    expect((await again.sessions()).body.data!.sessions).toHaveLength(1);
  });

  it('changePassword ends every other session; the caller goes on under a new id', async () => {
    const { email, list } = await devices(3, 'change');
    const before = list[0]!.sid;
    const res = await list[0]!.changePassword(PASSWORD, 'a brand new password 42');
    expect(res.body.errors).toBeUndefined();
    expect(list[0]!.sid).not.toBe(before);
    expect(await list[0]!.isSignedIn()).toBe(true);
    expect(await list[1]!.isSignedIn()).toBe(false);
    expect(await list[2]!.isSignedIn()).toBe(false);
    const rows = (await list[0]!.sessions()).body.data!.sessions as SessionRow[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.current).toBe(true);
    expect(errorOf(await new Browser(app).login(email)).reason).toBe('BAD_CREDENTIALS');
  });

  it('prunes sessions that ended from the index and never brings them back', async () => {
    const { email, list } = await devices(3, 'prune');
    const gone = storeKeyOf(list[1]!);
    const goneId = ((await list[1]!.sessions()).body.data!.sessions as SessionRow[]).find((r) => r.current)!.id;
    // The record disappears as if its TTL had run out, behind the index's back.
    await app.running.stateStore.del(gone);
    expect((await list[0]!.sessions()).body.data!.sessions).toHaveLength(2);
    expect(await list[1]!.isSignedIn()).toBe(false);
    await new Browser(app).login(email);
    const rows = (await list[0]!.sessions()).body.data!.sessions as SessionRow[];
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => r.id)).not.toContain(goneId);
    expect(errorOf(await list[0]!.revoke('SESSION', goneId)).code).toBe('BAD_USER_INPUT');
    expect(await app.running.stateStore.get(gone)).toBeNull();
  });

  it('refresh rotates the cookie id and keeps the session\'s public id', async () => {
    const b = new Browser(app);
    await b.register(uniqueEmail('rotate'));
    const old = b.clone(app);
    const [before] = (await b.sessions()).body.data!.sessions as SessionRow[];
    const res = await b.refresh();
    expect(res.body.errors).toBeUndefined();
    expect(b.sid).not.toBe(old.sid);
    expect(await old.isSignedIn()).toBe(false);
    const after = (await b.sessions()).body.data!.sessions as SessionRow[];
    expect(after.map((s) => s.id)).toEqual([before!.id]);
  });

  it('refresh without a session is UNAUTHENTICATED/MISSING', async () => {
    expect(errorOf(await new Browser(app).refresh())).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'MISSING' });
  });

  it('lets exactly one of several parallel refreshes of one cookie rotate it', async () => {
    const b = new Browser(app);
    await b.register(uniqueEmail('parallel'));
    const tabs = Array.from({ length: 6 }, () => b.clone(app));
    const results = await Promise.all(tabs.map((t) => t.refresh()));
    const won = results.filter((r) => !r.body.errors);
    expect(won).toHaveLength(1);
    for (const r of results.filter((x) => x.body.errors)) expect(errorOf(r).code).toBe('UNAUTHENTICATED');
    const winner = tabs[results.indexOf(won[0]!)]!;
    expect(await winner.isSignedIn()).toBe(true);
    expect(await b.isSignedIn()).toBe(false);
    expect((await winner.sessions()).body.data!.sessions).toHaveLength(1);
  });

  it('never lets a refresh racing revoke ALL keep the user signed in', async () => {
    for (let round = 0; round < 8; round++) {
      const { list } = await devices(2, `race-${round}`);
      const [refreshing, revoking] = list as [Browser, Browser];
      const rotated = refreshing.clone(app);
      await Promise.all([rotated.refresh(), revoking.revoke('ALL')]);
      expect(await rotated.isSignedIn()).toBe(false);
      expect(await refreshing.isSignedIn()).toBe(false);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, TestClock, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/backends.js';
import { Browser, sessionEnv, storedRecord, storeKeyOf, uniqueEmail } from './helpers.js';

const MIN = 60_000;
const IDLE = 30 * MIN;
const ABSOLUTE = 2 * 60 * MIN;

/** Idle and absolute timeouts, decided on the server with the service's clock; throttled touches. */
describe.each(backends)('session timeouts on $name', (backend) => {
  let harness: Awaited<ReturnType<typeof createHarness>>;
  let app: TestApp;
  const clock = new TestClock();

  beforeAll(async () => {
    harness = await createHarness(backend);
    app = await harness.start(sessionEnv({ SESSION_IDLE_TTL: '30m', SESSION_ABSOLUTE_TTL: '2h' }), { clock });
  });
  afterAll(async () => harness.stop());

  async function signedIn(tag: string) {
    const b = new Browser(app);
    const email = uniqueEmail(tag);
    const res = await b.register(email);
    expect(res.body.errors).toBeUndefined();
    return { b, email, res };
  }

  /** Puts a field into the stored record that only a write by the service would remove. */
  async function markStored(b: Browser): Promise<void> {
    const state = app.running.stateStore;
    const key = storeKeyOf(b);
    const ttl = await state.ttl(key);
    await state.set(key, JSON.stringify({ ...(await storedRecord(app, b)), untouched: true }), ttl);
  }

  it('states when the session ends and stores it for exactly that long', async () => {
    const { b, res } = await signedIn('ttl');
    expect(new Date(res.body.data!.register.sessionExpiresAt).getTime()).toBe(clock.now() + IDLE);
    const ttl = await app.running.stateStore.ttl(storeKeyOf(b));
    expect(ttl).toBeGreaterThan(IDLE - 5_000);
    expect(ttl).toBeLessThanOrEqual(IDLE + 1_000);
  });

  it('ends a session left idle longer than the idle timeout, and deletes it', async () => {
    const { b, email } = await signedIn('idle');
    clock.advance(IDLE - 1_000);
    expect(await b.myEmail()).toBe(email);
    clock.advance(IDLE + 1_000);
    expect(await b.myEmail()).toBeNull();
    expect(await app.running.stateStore.get(storeKeyOf(b))).toBeNull();
    expect(await b.isSignedIn()).toBe(false);
  });

  it('ends a session at the absolute timeout however active it is', async () => {
    const { b, email } = await signedIn('absolute');
    for (let elapsed = 0; elapsed + 20 * MIN < ABSOLUTE; elapsed += 20 * MIN) {
      clock.advance(20 * MIN);
      expect(await b.myEmail()).toBe(email);
    }
    // Idle by the last use it is fine, but two hours have passed since the login.
    clock.advance(20 * MIN);
    expect(await b.myEmail()).toBeNull();
    expect(await app.running.stateStore.get(storeKeyOf(b))).toBeNull();
  });

  it('caps the stored life at the absolute limit once it is nearer than the idle one', async () => {
    const { b } = await signedIn('cap');
    for (let elapsed = 0; elapsed < ABSOLUTE - 10 * MIN; elapsed += 22 * MIN) {
      clock.advance(22 * MIN);
      expect((await b.me()).body.data!.me).not.toBeNull();
    }
    const ttl = await app.running.stateStore.ttl(storeKeyOf(b));
    expect(ttl).toBeLessThanOrEqual(10 * MIN + 1_000);
    expect(ttl).toBeGreaterThan(10 * MIN - 5_000);
    const list = await b.sessions();
    expect(new Date(list.body.data!.sessions[0].expiresAt).getTime()).toBe(clock.now() + 10 * MIN);
  });

  it('does not write to the store on requests within the touch interval (throttled touch)', async () => {
    const { b } = await signedIn('throttle');
    const loggedInAt = clock.now();
    await markStored(b);
    for (let i = 0; i < 5; i++) {
      clock.advance(10_000);
      expect((await b.me()).body.data!.me).not.toBeNull();
    }
    // 50 s after login, under the 60 s interval: the record is exactly as it was left.
    expect(await storedRecord(app, b)).toMatchObject({ untouched: true, lastUsedAt: loggedInAt });
    clock.advance(11_000);
    expect((await b.me()).body.data!.me).not.toBeNull();
    const touched = await storedRecord(app, b);
    expect(touched).not.toHaveProperty('untouched');
    expect(touched!.lastUsedAt).toBe(clock.now());
  });

  it('keeps the idle timeout despite throttling: it counts from the last recorded use', async () => {
    const { b, email } = await signedIn('throttle-idle');
    clock.advance(30_000);
    expect(await b.myEmail()).toBe(email);
    // That use was not written (within the interval), so idleness counts from the login:
    // the session ends at most one touch interval early, never late.
    clock.advance(IDLE - 30_000 + 1);
    expect(await b.myEmail()).toBeNull();
  });

  it('never lets a touch still in flight bring back a session that was logged out meanwhile', async () => {
    for (let round = 0; round < 5; round++) {
      const { b } = await signedIn(`late-touch-${round}`);
      const key = storeKeyOf(b);
      // Every one of these requests now writes lastUsedAt back as it ends.
      clock.advance(2 * MIN);
      const tabs = Array.from({ length: 8 }, () => b.clone(app));
      await Promise.all([...tabs.map((t) => t.me()), b.logout()]);
      expect(await app.running.stateStore.get(key)).toBeNull();
      expect(await tabs[0]!.isSignedIn()).toBe(false);
    }
  });

  it('keeps an active session alive past the idle timeout (rolling)', async () => {
    const { b, email } = await signedIn('rolling');
    for (let i = 0; i < 4; i++) {
      clock.advance(IDLE - MIN);
      expect(await b.myEmail()).toBe(email);
    }
  });

  it('refresh restarts the idle window but not the absolute one', async () => {
    const { b, email } = await signedIn('refresh');
    const loginAt = clock.now();
    clock.advance(IDLE - MIN);
    const res = await b.refresh();
    expect(res.body.errors).toBeUndefined();
    expect(new Date(res.body.data!.refresh.sessionExpiresAt).getTime()).toBe(clock.now() + IDLE);
    clock.advance(IDLE - MIN);
    expect(await b.myEmail()).toBe(email);
    const [session] = (await b.sessions()).body.data!.sessions;
    expect(new Date(session.createdAt).getTime()).toBe(loginAt);
  });

  it('refuses to refresh an expired session with UNAUTHENTICATED', async () => {
    const { b } = await signedIn('refresh-expired');
    clock.advance(IDLE + 1);
    const res = await b.refresh();
    // EXPIRED when the record is still stored (Redis counts its TTL in real time), INVALID when
    // the store has already forgotten it (the in-process store expires by the same clock).
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(['EXPIRED', 'INVALID']).toContain(res.body.errors?.[0]?.extensions?.reason);
    expect(await b.isSignedIn()).toBe(false);
  });
});

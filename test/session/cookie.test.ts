import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/backends.js';
import {
  Browser,
  OLD_SECRET,
  SECRET,
  sessionEnv,
  sessionIdOf,
  setCookieOf,
  sha256,
  signedCookie,
  storedRecord,
  uniqueEmail,
} from './helpers.js';

/** The `sid` cookie: attributes, signing and rotation of the secret, fixation, forged and odd cookies. */
describe.each(backends)('session cookie on $name', (backend) => {
  let harness: Awaited<ReturnType<typeof createHarness>>;
  let app: TestApp;

  beforeAll(async () => {
    harness = await createHarness(backend);
    app = await harness.start(sessionEnv());
  });
  afterAll(async () => harness.stop());

  it('sets sid as HttpOnly, SameSite=Lax, Path=/, without Secure outside production', async () => {
    const res = await new Browser(app).register(uniqueEmail('attrs'));
    expect(res.body.errors).toBeUndefined();
    const cookie = setCookieOf(res)!;
    expect(cookie).toMatch(/^sid=s%3A/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/Secure/);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('sends no cookie to a visitor who does not log in, and stores nothing for them', async () => {
    const visitor = new Browser(app);
    const res = await visitor.me();
    expect(res.body.data).toEqual({ me: null });
    expect(setCookieOf(res)).toBeNull();
    expect(visitor.sid).toBeUndefined();
  });

  it('keeps only the SHA-256 of the cookie id in the store, and no secret in the record', async () => {
    const b = new Browser(app);
    const email = uniqueEmail('hashed');
    await b.register(email);
    const id = sessionIdOf(b.sid!);
    expect(await app.running.stateStore.get(`sess:${id}`)).toBeNull();
    const record = await storedRecord(app, b);
    expect(Object.keys(record!).sort()).toEqual(['createdAt', 'ip', 'lastUsedAt', 'publicId', 'userAgent', 'userId']);
    expect(JSON.stringify(record)).not.toContain(id);
    expect(record!.userAgent).toBe(b.userAgent);
    expect(record!.ip).toBe('127.0.0.1');
    expect(await app.running.stateStore.get(`sess:${sha256(id)}`)).not.toBeNull();
  });

  it('issues a new id at login: an id planted before login is never authenticated (fixation)', async () => {
    const email = uniqueEmail('victim');
    await new Browser(app).register(email);
    // The attacker's own live session, planted in the victim's browser...
    const attacker = new Browser(app);
    await attacker.register(uniqueEmail('attacker'));
    const victim = attacker.clone(app);
    const planted = victim.sid!;
    const login = await victim.login(email);
    expect(login.body.errors).toBeUndefined();
    // ...is replaced, and neither the planted cookie nor its id now names the victim.
    expect(victim.sid).not.toBe(planted);
    expect(sessionIdOf(victim.sid!)).not.toBe(sessionIdOf(planted));
    expect(await victim.myEmail()).toBe(email);
    expect(await attacker.myEmail()).toBeNull();
  });

  it('does not adopt an attacker-chosen id, signed or not', async () => {
    const email = uniqueEmail('chosen');
    await new Browser(app).register(email);
    const chosen = `attacker-chosen-${randomBytes(8).toString('hex')}`;
    for (const value of [signedCookie(chosen, SECRET), encodeURIComponent(chosen)]) {
      const b = new Browser(app);
      b.jar.cookies.set('sid', value);
      await b.login(email);
      expect(sessionIdOf(b.sid!)).not.toBe(chosen);
      expect(await app.running.stateStore.get(`sess:${sha256(chosen)}`)).toBeNull();
      const attacker = new Browser(app);
      attacker.jar.cookies.set('sid', value);
      expect(await attacker.myEmail()).toBeNull();
    }
  });

  it('treats a tampered signature, an unknown id and a destroyed id as no session', async () => {
    const b = new Browser(app);
    await b.register(uniqueEmail('tamper'));
    const id = sessionIdOf(b.sid!);
    const tampered = new Browser(app);
    tampered.jar.cookies.set('sid', signedCookie(id, 'not-the-secret-not-the-secret-000000'));
    const unknown = new Browser(app);
    unknown.jar.cookies.set('sid', signedCookie(randomBytes(32).toString('base64url'), SECRET));
    const destroyed = b.clone(app);
    await b.logout();
    for (const browser of [tampered, unknown, destroyed]) {
      const res = await browser.me();
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ data: { me: null } });
      expect(await browser.isSignedIn()).toBe(false);
    }
  });

  it('answers a 16 KiB cookie header clearly and keeps serving', async () => {
    const huge = new Browser(app);
    huge.jar.cookies.set('sid', `s%3A${'a'.repeat(16 * 1024)}.sig`);
    const res = await huge.me();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { me: null } });
    const many = new Browser(app);
    for (let i = 0; i < 256; i++) many.jar.cookies.set(`c${i}`, 'x'.repeat(60));
    expect((await many.me()).body).toEqual({ data: { me: null } });
    // Past the server's 128 KiB header limit: refused by Node itself, process unharmed.
    const over = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `sid=${'b'.repeat(200 * 1024)}` },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(over.status).toBe(431);
    expect((await new Browser(app).me()).body).toEqual({ data: { me: null } });
  });

  it('verifies a cookie signed with any listed secret and signs new ones with the first (rotation)', async () => {
    const old = await harness.startPeer(app, sessionEnv({ SESSION_SECRET: OLD_SECRET }));
    const rotated = await harness.startPeer(app, sessionEnv({ SESSION_SECRET: `${SECRET},${OLD_SECRET}` }));
    const dropped = await harness.startPeer(app, sessionEnv({ SESSION_SECRET: SECRET }));
    const email = uniqueEmail('rotate');
    const b = new Browser(old);
    await b.register(email);
    expect(b.sid).toBe(signedCookie(sessionIdOf(b.sid!), OLD_SECRET));
    expect(await b.clone(rotated).myEmail()).toBe(email);
    expect(await b.clone(dropped).myEmail()).toBeNull();
    const fresh = new Browser(rotated);
    await fresh.login(email);
    expect(fresh.sid).toBe(signedCookie(sessionIdOf(fresh.sid!), SECRET));
    expect(await fresh.clone(dropped).myEmail()).toBe(email);
  });
});

describe.each(backends)('session cookie in production on $name', (backend) => {
  let harness: Awaited<ReturnType<typeof createHarness>>;
  let app: TestApp;

  beforeAll(async () => {
    harness = await createHarness(backend);
    // TLS ends at a proxy on loopback, which says so in X-Forwarded-Proto.
    app = await harness.start(sessionEnv({ NODE_ENV: 'production', TRUST_PROXY: 'loopback', LOG_LEVEL: 'silent' }));
  });
  afterAll(async () => harness.stop());

  it('marks sid Secure behind a TLS-terminating proxy', async () => {
    const b = new Browser(app);
    const email = uniqueEmail('prod');
    const res = await b.register(email, undefined, { 'x-forwarded-proto': 'https' });
    expect(res.body.errors).toBeUndefined();
    const cookie = setCookieOf(res)!;
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
  });

  it('refuses a login over plain HTTP instead of answering it without the Secure cookie', async () => {
    const email = uniqueEmail('plain');
    await new Browser(app).register(email, undefined, { 'x-forwarded-proto': 'https' });
    const b = new Browser(app);
    const res = await b.login(email);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0]?.message).toMatch(/HTTPS/);
    expect(setCookieOf(res)).toBeNull();
  });
});

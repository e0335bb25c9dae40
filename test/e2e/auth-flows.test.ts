import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { createHarness, type TestApp } from '../helpers/app.js';
import { Agent, modeEnv, PASSWORD, uniqueEmail, type Mode } from '../helpers/agent.js';
import { errorOf } from '../helpers/client.js';

/** The flows every frontend relies on, identical in both modes and on both backends. */
describe.each(backends)('auth flows on $name', (backend) => {
  describe.each<Mode>(['jwt', 'session'])('AUTH_MODE=%s', (mode) => {
    let harness: Awaited<ReturnType<typeof createHarness>>;
    let app: TestApp;
    const agent = () => new Agent(app.client);

    beforeAll(async () => {
      harness = await createHarness(backend);
      app = await harness.start(modeEnv(mode));
    });
    afterAll(async () => harness.stop());

    it('answers authMode', async () => {
      const res = await agent().gql('{ authMode }');
      expect(res.body.data).toEqual({ authMode: mode.toUpperCase() });
    });

    it('registers a user who is then signed in, with the email normalised', async () => {
      const a = agent();
      const email = uniqueEmail('Reg');
      const res = await a.register(`  ${email.toUpperCase()} `, PASSWORD);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data!.register.user.email).toBe(email.toLowerCase());
      expect(res.body.data!.register.mode).toBe(mode.toUpperCase());
      if (mode === 'jwt') {
        expect(res.body.data!.register.accessToken).toEqual(expect.any(String));
        expect(res.body.data!.register.refreshToken).toEqual(expect.any(String));
      } else {
        expect(res.body.data!.register.sessionExpiresAt).toEqual(expect.any(String));
        expect(res.body.data!.register.accessToken).toBeNull();
      }
      const me = await a.me();
      expect(me.body.data!.me.email).toBe(email.toLowerCase());
      expect(res.headers.get('cache-control')).toBe('no-store');
    });

    it('refuses a second registration of the same email in other case, leaving one account', async () => {
      const email = uniqueEmail('dup');
      await agent().register(email, PASSWORD);
      const res = await agent().register(email.toUpperCase(), 'another password 123');
      expect(errorOf(res).code).toBe('BAD_USER_INPUT');
      expect(await app.running.database.prisma.user.count({ where: { email } })).toBe(1);
      const login = await agent().login(email, PASSWORD);
      expect(login.body.errors).toBeUndefined();
    });

    it.each([
      ['an invalid email', 'not-an-email', PASSWORD],
      ['a short password', 'short@example.com', 'short'],
      ['a 10 KB password', 'long@example.com', 'x'.repeat(10 * 1024)],
      ['the email as password', 'same@example.com', 'same@example.com'],
    ])('refuses %s with BAD_USER_INPUT and creates nothing', async (_what, email, password) => {
      const res = await agent().register(email, password);
      expect(errorOf(res).code).toBe('BAD_USER_INPUT');
      expect(res.body.data).toBeNull();
      expect(await app.running.database.prisma.user.count({ where: { email } })).toBe(0);
    });

    it('gives one answer for an unknown email and a wrong password', async () => {
      const email = uniqueEmail('login');
      await agent().register(email, PASSWORD);
      const wrong = await agent().login(email, 'wrong password!');
      const unknown = await agent().login(uniqueEmail('ghost'), PASSWORD);
      for (const res of [wrong, unknown]) {
        expect(errorOf(res)).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'BAD_CREDENTIALS' });
      }
      expect(errorOf(wrong).message).toBe(errorOf(unknown).message);
    });

    it('answers null for me without a credential, and UNAUTHENTICATED/MISSING where a login is needed', async () => {
      const a = agent();
      expect((await a.me()).body.data).toEqual({ me: null });
      for (const res of [await a.sessions(), await a.logout(), await a.revoke('ALL'), await a.changePassword(PASSWORD, 'new password 1234')]) {
        expect(errorOf(res)).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'MISSING' });
      }
    });

    it('logs out: the credential, even a copy of it, no longer works', async () => {
      const a = agent();
      await a.register(uniqueEmail('out'), PASSWORD);
      const stolen = a.clone();
      expect(await stolen.isSignedIn()).toBe(true);
      expect((await a.logout()).body.data).toEqual({ logout: true });
      expect(await a.isSignedIn()).toBe(false);
      expect(await stolen.isSignedIn()).toBe(false);
    });

    it('refreshes: new credentials work, the previous ones do not', async () => {
      const a = agent();
      await a.register(uniqueEmail('refresh'), PASSWORD);
      const before = a.clone();
      const res = await a.refresh();
      expect(res.body.errors).toBeUndefined();
      expect(await a.isSignedIn()).toBe(true);
      if (mode === 'session') {
        expect(a.jar.cookies.get('sid')).not.toBe(before.jar.cookies.get('sid'));
        expect(await before.isSignedIn()).toBe(false);
      } else {
        expect(res.body.data!.refresh.refreshToken).not.toBe(before.refreshToken);
      }
    });

    it('lists sessions with the current one marked, and revokes one by id', async () => {
      const email = uniqueEmail('list');
      const first = agent();
      await first.register(email, PASSWORD);
      const second = agent();
      second.userAgent = 'second-device/2.0';
      await second.login(email, PASSWORD);
      const list = await first.sessions();
      const sessions = list.body.data!.sessions as Array<{ id: string; current: boolean; userAgent: string }>;
      expect(sessions).toHaveLength(2);
      expect(sessions.filter((s) => s.current)).toHaveLength(1);
      const other = sessions.find((s) => !s.current)!;
      expect(other.userAgent).toBe('second-device/2.0');
      const res = await first.revoke('SESSION', other.id);
      expect(res.body.data).toEqual({ revoke: { revoked: 1 } });
      expect(await second.isSignedIn()).toBe(false);
      expect(await first.isSignedIn()).toBe(true);
      expect((await first.sessions()).body.data!.sessions).toHaveLength(1);
    });

    it('refuses to revoke another user\'s session (FORBIDDEN) or an unknown one (BAD_USER_INPUT)', async () => {
      const alice = agent();
      await alice.register(uniqueEmail('alice'), PASSWORD);
      const bob = agent();
      await bob.register(uniqueEmail('bob'), PASSWORD);
      const bobSession = (await bob.sessions()).body.data!.sessions[0].id;
      expect(errorOf(await alice.revoke('SESSION', bobSession)).code).toBe('FORBIDDEN');
      expect(await bob.isSignedIn()).toBe(true);
      expect(errorOf(await alice.revoke('SESSION', 'no-such-session')).code).toBe('BAD_USER_INPUT');
      expect(errorOf(await alice.revoke('SESSION', '00000000-0000-4000-8000-000000000000')).code).toBe('BAD_USER_INPUT');
      expect(errorOf(await alice.revoke('SESSION')).code).toBe('BAD_USER_INPUT');
    });

    it('revokes every login of the user with scope ALL', async () => {
      const email = uniqueEmail('all');
      const devices = [agent(), agent(), agent()];
      await devices[0]!.register(email, PASSWORD);
      await devices[1]!.login(email, PASSWORD);
      await devices[2]!.login(email, PASSWORD);
      const res = await devices[0]!.revoke('ALL');
      expect(res.body.data).toEqual({ revoke: { revoked: 3 } });
      for (const d of devices) expect(await d.isSignedIn()).toBe(false);
      const again = agent();
      expect((await again.login(email, PASSWORD)).body.errors).toBeUndefined();
      expect(await again.isSignedIn()).toBe(true);
    });

    it('changes the password: other logins end, the caller continues, only the new password works', async () => {
      const email = uniqueEmail('change');
      const me = agent();
      await me.register(email, PASSWORD);
      const other = agent();
      await other.login(email, PASSWORD);
      const wrong = await me.changePassword('not my password', 'brand new password 1');
      expect(errorOf(wrong)).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'BAD_CREDENTIALS' });
      expect(await other.isSignedIn()).toBe(true);
      const weak = await me.changePassword(PASSWORD, 'short');
      expect(errorOf(weak).code).toBe('BAD_USER_INPUT');
      const res = await me.changePassword(PASSWORD, 'brand new password 1');
      expect(res.body.errors).toBeUndefined();
      expect(await other.isSignedIn()).toBe(false);
      expect(await me.isSignedIn()).toBe(true);
      expect(errorOf(await agent().login(email, PASSWORD)).reason).toBe('BAD_CREDENTIALS');
      expect((await agent().login(email, 'brand new password 1')).body.errors).toBeUndefined();
    });
  });
});

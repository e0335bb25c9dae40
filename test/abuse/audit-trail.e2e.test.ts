import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, modeEnv, PASSWORD, PAYLOAD, uniqueEmail, type Mode } from '../helpers/agent.js';
import { createHarness, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/backends.js';
import { errorOf } from '../helpers/client.js';
import { freshIp, from, loginFrom, PROXIED, registerFrom } from './helpers.js';

const EVENTS = '{ authEvents { id type outcome reason sessionId ip userAgent createdAt } }';
const NEW_PASSWORD = 'a brand new password 42';
type Event = { id: string; type: string; outcome: string; reason: string | null; sessionId: string | null; ip: string | null; userAgent: string | null; createdAt: string };

describe.each(backends)('audit trail on $name', (backend) => {
  describe.each<Mode>(['jwt', 'session'])('AUTH_MODE=%s', (mode) => {
    let harness: Awaited<ReturnType<typeof createHarness>>;
    let app: TestApp;
    const events = async (agent: Agent, first?: number) => {
      const res = await agent.gql(`query($n: Int) { authEvents(first: $n) { id type outcome reason sessionId ip userAgent createdAt } }`, first === undefined ? {} : { n: first });
      return { res, list: (res.body.data?.authEvents ?? []) as Event[] };
    };

    beforeAll(async () => {
      harness = await createHarness(backend);
      app = await harness.start({ ...modeEnv(mode), ...PROXIED, REFRESH_REUSE_GRACE: '0' });
    });
    afterAll(async () => harness.stop());

    it('records every authentication event, shown to the user newest first, with address and User-Agent', async () => {
      const email = uniqueEmail('audited');
      const ip = freshIp();
      const a = new Agent(app.client);
      a.userAgent = 'audit-browser/2.0';
      const header = from(ip);
      await registerFrom(a, ip, email);
      await loginFrom(new Agent(app.client), ip, email, 'not my password');
      const refresh = (agent: Agent) => agent.gql(`mutation($t: String) { refresh(refreshToken: $t) { ${PAYLOAD} } }`, { t: agent.refreshToken ?? null }, header);
      await refresh(a);
      // A second login whose refresh token is replayed after rotation (JWT mode: reuse detected).
      const second = new Agent(app.client);
      await loginFrom(second, ip, email, PASSWORD);
      const stale = second.clone();
      await refresh(second);
      if (mode === 'jwt') expect(errorOf(await refresh(stale)).reason).toBe('REUSED');
      await a.gql(`mutation($i: ChangePasswordInput!) { changePassword(input: $i) { ${PAYLOAD} } }`, { i: { currentPassword: 'wrong guess', newPassword: NEW_PASSWORD } }, header);
      await a.gql(`mutation($i: ChangePasswordInput!) { changePassword(input: $i) { ${PAYLOAD} } }`, { i: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } }, header);
      await a.gql('mutation { revoke(input: { scope: CURRENT }) { revoked } }', {}, header);
      await loginFrom(a, ip, email, NEW_PASSWORD);
      await a.gql('mutation { logout }', {}, header);
      await loginFrom(a, ip, email, NEW_PASSWORD);

      const { list } = await events(a, 100);
      const seen = list.map((e) => `${e.type}:${e.outcome}${e.reason ? `:${e.reason}` : ''}`).reverse();
      expect(seen).toEqual([
        'register:success',
        'login:failure:BAD_CREDENTIALS',
        'refresh:success',
        'login:success',
        'refresh:success',
        // The owner sees the theft of their refresh token (JWT mode only: sessions cannot be replayed).
        ...(mode === 'jwt' ? ['reuse_detected:failure:REUSED'] : []),
        'password_change:failure:BAD_CREDENTIALS',
        'password_change:success',
        'revoke:success',
        'login:success',
        'logout:success',
        'login:success',
      ]);
      expect(list.every((e) => e.ip === ip)).toBe(true);
      expect(list.find((e) => e.type === 'register')!.userAgent).toBe('audit-browser/2.0');
      expect(list.filter((e) => e.outcome === 'success').every((e) => e.sessionId)).toBe(true);
      expect([...list].sort((x, y) => y.createdAt.localeCompare(x.createdAt))).toEqual(list);
      if (mode === 'jwt') {
        // Recorded with the owner and the login that was ended.
        const reuse = await app.running.database.prisma.authEvent.findMany({ where: { type: 'reuse_detected', ip } });
        const owner = await app.running.database.prisma.user.findUniqueOrThrow({ where: { email } });
        expect(reuse).toMatchObject([{ outcome: 'failure', reason: 'REUSED', userId: owner.id, sessionId: expect.any(String) }]);
      }
    });

    it('never stores a secret: no password, token, hash or cookie in any event', async () => {
      const email = uniqueEmail('secret');
      const a = new Agent(app.client);
      await a.register(email, PASSWORD);
      await a.login(email, 'a wrong password typed');
      await app.running.audit.flush();
      const rows = JSON.stringify(await app.running.database.prisma.authEvent.findMany());
      const secrets = [PASSWORD, 'a wrong password typed', a.accessToken, a.refreshToken, ...a.jar.cookies.values(), '$argon2'].filter(Boolean) as string[];
      for (const secret of secrets) expect(rows).not.toContain(secret);
    });

    it('shows a user only their own events, and the attacks on their account', async () => {
      const victim = new Agent(app.client);
      const email = uniqueEmail('target');
      await victim.register(email, PASSWORD);
      const attacker = freshIp();
      for (let i = 0; i < 7; i++) await loginFrom(new Agent(app.client), attacker, email, 'guess');
      const other = new Agent(app.client);
      await other.register(uniqueEmail('other'), PASSWORD);
      const mine = (await events(victim, 100)).list;
      expect(mine.filter((e) => e.type === 'rate_limited')).toHaveLength(2);
      expect(mine.find((e) => e.type === 'rate_limited')).toMatchObject({ outcome: 'failure', reason: 'login:login_account_ip', ip: attacker });
      const theirs = (await events(other)).list;
      expect(theirs.map((e) => e.type)).toEqual(['register']);
    });

    it('caps first at 100, refuses a negative one, and needs a login', async () => {
      const a = new Agent(app.client);
      const email = uniqueEmail('many');
      await a.register(email, PASSWORD);
      for (let i = 0; i < 110; i++) await loginFrom(new Agent(app.client), freshIp(), email, 'guess');
      expect((await events(a)).list).toHaveLength(20);
      expect((await events(a, 3)).list).toHaveLength(3);
      expect((await events(a, 0)).list).toHaveLength(0);
      expect((await events(a, 10_000)).list).toHaveLength(100);
      expect(errorOf((await events(a, -1)).res).code).toBe('BAD_USER_INPUT');
      expect(errorOf(await new Agent(app.client).gql(EVENTS)).code).toBe('UNAUTHENTICATED');
    });

    it('counts events in /metrics by event and outcome', async () => {
      await new Agent(app.client).login(uniqueEmail('nobody'), 'guess');
      await new Agent(app.client).register(uniqueEmail('counted'), PASSWORD);
      const text = await (await app.client.raw('/metrics')).text();
      expect(text).toMatch(/auth_events_total\{event="login",outcome="failure"\} \d+/);
      expect(text).toMatch(/auth_events_total\{event="register",outcome="success"\} \d+/);
      expect(text).toMatch(/auth_events_total\{event="rate_limited",outcome="failure"\} \d+/);
    });

    it('prunes events older than AUDIT_RETENTION (90 days by default)', async () => {
      const day = 86_400_000;
      const ids = [randomUUID(), randomUUID()];
      await app.running.database.prisma.authEvent.createMany({
        data: [
          { id: ids[0]!, type: 'login', outcome: 'success', createdAt: new Date(Date.now() - 91 * day) },
          { id: ids[1]!, type: 'login', outcome: 'success', createdAt: new Date(Date.now() - 89 * day) },
        ],
      });
      expect(await app.running.audit.prune()).toBeGreaterThanOrEqual(1);
      const left = await app.running.database.prisma.authEvent.findMany({ where: { id: { in: ids } } });
      expect(left.map((e) => e.id)).toEqual([ids[1]]);
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, modeEnv, PASSWORD, PAYLOAD, uniqueEmail, type Mode } from '../helpers/agent.js';
import { createHarness, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/backends.js';
import { errorOf } from '../helpers/client.js';
import { countingHasher, DEFAULT_LIMITS, freshIp, from, inParallel, loginFrom, PROXIED, registerFrom, stillServesOthers, tally } from './helpers.js';

/** Login, register and refresh throttling over HTTP, with the default limits. */
describe.each(backends)('throttling on $name', (backend) => {
  describe.each<Mode>(['jwt', 'session'])('AUTH_MODE=%s', (mode) => {
    let harness: Awaited<ReturnType<typeof createHarness>>;
    let app: TestApp;
    const counting = countingHasher();
    const agent = () => new Agent(app.client);

    beforeAll(async () => {
      harness = await createHarness(backend);
      app = await harness.start({ ...modeEnv(mode), ...PROXIED, ...DEFAULT_LIMITS }, { hasher: counting.hasher });
    });
    afterAll(async () => harness.stop());

    async function victim() {
      const email = uniqueEmail('victim');
      const home = freshIp();
      expect((await registerFrom(agent(), home, email)).body.errors).toBeUndefined();
      return { email, home };
    }

    it('answers 200 failed logins from one address with a few password checks, then RATE_LIMITED; the owner signs in from elsewhere', async () => {
      const { email, home } = await victim();
      const attacker = freshIp();
      const checksBefore = counting.counts.verify;
      const started = performance.now();
      const responses = await inParallel(200, 10, () => loginFrom(agent(), attacker, email, 'not the password'));
      const ms = performance.now() - started;
      const counts = tally(responses);
      console.info(`[abuse] ${mode}/${backend.name}: 200 failed logins from one address in ${ms.toFixed(0)} ms: ${JSON.stringify(counts)}`);
      // Five free failures, and at most one more that a block let through while they ran.
      expect(counts.UNAUTHENTICATED).toBeGreaterThanOrEqual(5);
      expect(counts.UNAUTHENTICATED).toBeLessThanOrEqual(6);
      expect(counts.RATE_LIMITED).toBe(200 - counts.UNAUTHENTICATED!);
      expect(counting.counts.verify - checksBefore).toBe(counts.UNAUTHENTICATED);
      // Blocked for 30 s after the fifth failure, twice that after a sixth.
      const limited = responses.findLast((r) => errorOf(r).code === 'RATE_LIMITED')!;
      expect(limited.body.errors![0]!.extensions!.retryAfter).toBeGreaterThanOrEqual(1);
      expect(limited.body.errors![0]!.extensions!.retryAfter).toBeLessThanOrEqual(30 * 2 ** (counts.UNAUTHENTICATED! - 5));
      expect(ms).toBeLessThan(60_000);

      expect((await loginFrom(agent(), freshIp(), email, PASSWORD)).body.errors).toBeUndefined();
      expect((await loginFrom(agent(), home, email, PASSWORD)).body.errors).toBeUndefined();
      // The attacker's address stays blocked, even with the right password.
      expect(errorOf(await loginFrom(agent(), attacker, email, PASSWORD)).code).toBe('RATE_LIMITED');
      await stillServesOthers(app, `${mode}/${backend.name} after 200 failed logins`);
    });

    it('caps failures per account at 100 an hour from many addresses, and keeps the owner in from their usual address', async () => {
      const { email, home } = await victim();
      const checksBefore = counting.counts.verify;
      const responses = await inParallel(200, 10, () => loginFrom(agent(), freshIp(), email, 'not the password'));
      expect(tally(responses)).toEqual({ UNAUTHENTICATED: 100, RATE_LIMITED: 100 });
      expect(counting.counts.verify - checksBefore).toBe(100);
      // The owner's address (trusted since they signed in from it) is exempt from the account-wide cap...
      expect((await loginFrom(agent(), home, email, PASSWORD)).body.errors).toBeUndefined();
      // ...while a new address waits for the hour to end: the ASVS trade-off, documented.
      expect(errorOf(await loginFrom(agent(), freshIp(), email, PASSWORD)).code).toBe('RATE_LIMITED');
      await stillServesOthers(app, `${mode}/${backend.name} after 200 distributed failed logins`);
    });

    it('gives a known and an unknown account the same RATE_LIMITED answer', async () => {
      const { email } = await victim();
      const unknown = uniqueEmail('nobody');
      const ip = freshIp();
      const last = async (who: string) => {
        let res;
        for (let i = 0; i < 7; i++) res = await loginFrom(agent(), ip, who, 'not the password');
        return res!;
      };
      const [known, missing] = [await last(email), await last(unknown)];
      const shape = (r: typeof known) => ({ status: r.status, data: r.body.data, message: errorOf(r).message, keys: Object.keys(r.body.errors![0]!.extensions!).sort(), code: errorOf(r).code });
      expect(shape(known)).toEqual(shape(missing));
      expect(errorOf(known).code).toBe('RATE_LIMITED');
    });

    it('limits failures per address across accounts (password spraying)', async () => {
      const sprayer = freshIp();
      const targets = await Promise.all(Array.from({ length: 3 }, victim));
      const emails = [...targets.map((t) => t.email), ...Array.from({ length: 110 }, () => uniqueEmail('spray'))];
      const responses = [];
      for (const email of emails) responses.push(await loginFrom(agent(), sprayer, email, 'Winter2026!'));
      expect(tally(responses)).toEqual({ UNAUTHENTICATED: 100, RATE_LIMITED: 13 });
      expect((await loginFrom(agent(), targets[0]!.home, targets[0]!.email, PASSWORD)).body.errors).toBeUndefined();
    });

    it('refuses the 21st registration from one address in an hour, 1,000 attempts creating 20 accounts', async () => {
      const ip = freshIp();
      const tag = `mass${Date.now()}`;
      const started = performance.now();
      const responses = await inParallel(1_000, 20, (i) => registerFrom(agent(), ip, `${tag}.${i}@example.com`));
      console.info(`[abuse] ${mode}/${backend.name}: 1,000 registrations from one address in ${(performance.now() - started).toFixed(0)} ms`);
      expect(tally(responses)).toEqual({ ok: 20, RATE_LIMITED: 980 });
      expect(await app.running.database.prisma.user.count({ where: { email: { startsWith: `${tag}.` } } })).toBe(20);
      const refused = responses.find((r) => errorOf(r).code === 'RATE_LIMITED')!;
      expect(refused.body.errors![0]!.extensions!.retryAfter).toBeGreaterThan(3_000);
      await stillServesOthers(app, `${mode}/${backend.name} after 1,000 registrations`);
    });

    it('limits refresh per address: the 301st in five minutes is RATE_LIMITED, other addresses unaffected', async () => {
      const a = agent();
      const ip = freshIp();
      expect((await registerFrom(a, ip, uniqueEmail('refresher'))).body.errors).toBeUndefined();
      const refresh = (at: string) => a.gql(`mutation($t: String) { refresh(refreshToken: $t) { ${PAYLOAD} } }`, { t: a.refreshToken ?? null }, from(at));
      for (let i = 0; i < 300; i++) expect(errorOf(await refresh(ip)).code).toBeUndefined();
      const refused = await refresh(ip);
      expect(errorOf(refused).code).toBe('RATE_LIMITED');
      expect(refused.body.errors![0]!.extensions!.retryAfter).toBeLessThanOrEqual(300);
      // The credential was not consumed by the refused attempt: it still works elsewhere.
      expect(errorOf(await refresh(freshIp())).code).toBeUndefined();
    });

    it('throttles registering an existing email too (the one documented enumeration exception)', async () => {
      const { email } = await victim();
      const ip = freshIp();
      const codes = [];
      for (let i = 0; i < 21; i++) codes.push(errorOf(await registerFrom(agent(), ip, email)).code);
      expect(codes.slice(0, 20).every((c) => c === 'BAD_USER_INPUT')).toBe(true);
      expect(codes[20]).toBe('RATE_LIMITED');
    });
  });
});

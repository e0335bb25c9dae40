import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpExchange } from '../../src/auth/strategy.js';
import { backends } from '../helpers/backends.js';
import { createHarness, type TestApp } from '../helpers/app.js';
import { decodePart, forge, jwtEnv, serverKey, signedIn, strategyOf, validClaims } from './support/jwt-helpers.js';

/** What authenticate() sees of a request carrying a bearer token. */
const exchange = (token: string): HttpExchange => ({
  req: { headers: { authorization: `Bearer ${token}` }, get: () => undefined } as unknown as Request,
  res: {} as HttpExchange['res'],
  client: { ip: '127.0.0.1', userAgent: null },
});

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

/**
 * The per-request cost of authentication (signature verification plus revocation check),
 * measured in process, without HTTP. Reproduce with `npx vitest run test/jwt/auth-cost.test.ts`.
 * Numbers are printed, not asserted: timings belong in reports, not in pass/fail.
 */
describe.each(backends)('authentication cost on $name', (backend) => {
  let harness: Awaited<ReturnType<typeof createHarness>>;
  let app: TestApp;

  beforeAll(async () => {
    harness = await createHarness(backend);
    app = await harness.start(jwtEnv());
  });
  afterAll(async () => harness.stop());

  it('measures verified-cache hits and full verifications', async () => {
    const strategy = strategyOf(app);
    const agent = await signedIn(app);
    const hit = exchange(agent.accessToken!);
    const cached: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const t = performance.now();
      await strategy.authenticate(hit);
      cached.push(performance.now() - t);
    }
    const key = await serverKey(app);
    const { sub, sid } = decodePart(agent.accessToken!, 1);
    const fresh = await Promise.all(Array.from({ length: 2_000 }, () => forge(key, { ...validClaims(app, sub, sid), jti: randomUUID() })));
    const full: number[] = [];
    for (const token of fresh) {
      const t = performance.now();
      expect((await strategy.authenticate(exchange(token)))?.userId).toBe(sub);
      full.push(performance.now() - t);
    }
    const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
    console.log(`[measure] ${backend.name} ${app.running.config.jwt.alg}: authenticate() median ${us(median(cached))} (verified-token cache hit), ${us(median(full))} (signature verified); n=${cached.length}/${full.length}`);
  });
});

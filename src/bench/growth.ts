import { randomUUID } from 'node:crypto';
import { createPasswordHasher } from '../auth/passwords.js';
import type { Database } from '../stores/database.js';
import type { Mode } from './app-env.js';
import { startGroup } from './app-group.js';
import type { BenchBackend } from './backend.js';
import { measureFootprint, type Footprint } from './footprint.js';
import { createGqlClient, newCredential, type Credential } from './gql-client.js';
import { bulkLogins } from './bulk-logins.js';
import { BENCH_PASSWORD, ops } from './operations.js';
import { runPool } from './pool.js';
import { round } from './stats.js';

export interface GrowthPoint extends Footprint {
  label: string;
  liveLogins: number;
  revoked: number;
  /** How the logins up to this point were made. */
  method: string;
}

export interface GrowthResult {
  mode: Mode;
  baseline: Footprint;
  points: GrowthPoint[];
  /** Logins per second while filling (lower argon2 parameters, see the report). */
  fillRatePerSec: number;
  failures: number;
}

/** Users for the mass logins, inserted in bulk with one precomputed hash (same password). */
export async function insertUsers(database: Database, emails: readonly string[], argon2: { memoryCost: number; timeCost: number; parallelism: number }): Promise<void> {
  const passwordHash = await createPasswordHasher(argon2).hash(BENCH_PASSWORD);
  const now = new Date();
  for (let i = 0; i < emails.length; i += 1_000) {
    const data = emails.slice(i, i + 1_000).map((email) => ({ id: randomUUID(), email, passwordHash, passwordChangedAt: now, createdAt: now }));
    await database.prisma.user.createMany({ data, skipDuplicates: true });
  }
}

export interface GrowthInput {
  backend: BenchBackend;
  mode: Mode;
  env(prefix: string | undefined): Record<string, string>;
  emails: readonly string[];
  steps: readonly number[];
  revocations: number;
  concurrency: number;
  log(line: string): void;
}

/**
 * Fills one fresh instance with live logins over HTTP, measuring the state store, the heap and
 * the database at each step, then revokes some of them and measures again.
 */
export async function runGrowth(input: GrowthInput): Promise<GrowthResult> {
  const { backend, mode, emails, steps } = input;
  const prefix = backend.redisUrl ? backend.newPrefix(`${mode}-growth`) : undefined;
  const redis = prefix ? { url: backend.redisUrl!, prefix } : undefined;
  const group = await startGroup(backend, input.env(prefix), false);
  const client = createGqlClient(group.urlA, input.concurrency * 2);
  const o = ops(client);
  try {
    // Same users in both modes; the hash has the app's parameters, so no login rehashes.
    await insertUsers(group.database, emails.slice(0, steps.at(-1)), group.a.config.argon2);
    const baseline = await measureFootprint(group, redis);
    const kept: Credential[] = [];
    const points: GrowthPoint[] = [];
    let done = 0;
    let failures = 0;
    let fillMs = 0;
    let httpLogins = 0;
    for (const step of steps) {
      input.log(`${mode}: filling to ${step} live logins`);
      const batch = emails.slice(done, step).map((email) => {
        const cred = newCredential(email);
        if (done === 0 && kept.length < input.revocations) kept.push(cred);
        return cred;
      });
      // The first step goes over HTTP; later ones through the strategy in-process (same state, faster).
      const overHttp = done === 0;
      const start = performance.now();
      failures += overHttp
        ? (await runPool(batch, input.concurrency, o.login)).failures
        : await bulkLogins(group.a, batch.map((c) => c.email), input.concurrency);
      if (overHttp) fillMs += performance.now() - start;
      if (overHttp) httpLogins = batch.length;
      done = step;
      const method = overHttp ? 'login over HTTP' : `first ${httpLogins} over HTTP, the rest via strategy.startLogin in-process`;
      points.push({ label: `${step} live`, liveLogins: step, revoked: 0, method, ...(await measureFootprint(group, redis)) });
    }
    input.log(`${mode}: revoking ${kept.length} logins`);
    failures += (await runPool(kept, input.concurrency, o.revokeCurrent)).failures;
    const method = 'revoke (scope CURRENT) over HTTP';
    points.push({ label: `${done} − ${kept.length} revoked`, liveLogins: done - kept.length, revoked: kept.length, method, ...(await measureFootprint(group, redis)) });
    return { mode, baseline, points, fillRatePerSec: round((httpLogins / fillMs) * 1000, 1), failures };
  } finally {
    client.close();
    await group.stop();
  }
}

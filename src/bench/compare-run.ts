import { loadConfig } from '../config.js';
import { appEnv, effectiveSettings, FAST_ARGON2, MODES, runSecrets, type Mode } from './app-env.js';
import { startGroup } from './app-group.js';
import { createBenchBackend, redactUrl, type BenchBackend } from './backend.js';
import { createGqlClient, newCredential } from './gql-client.js';
import { runGrowth, type GrowthResult } from './growth.js';
import { machineInfo, type MachineInfo } from './machine.js';
import { ops } from './operations.js';
import type { CompareSizes } from './options.js';
import { runOutage, type OutageResult } from './outage.js';
import { runPool, type PhaseResult } from './pool.js';
import { killPrivateRedis } from './redis-server.js';
import { round } from './stats.js';
import { runWorkload, type ModeWorkload } from './workload.js';

export interface CompareReport {
  generatedAt: string;
  durationSec: number;
  machine: MachineInfo;
  backend: { name: BenchBackend['name']; database: string; stateStore: string };
  settings: Record<string, string>;
  sizes: CompareSizes;
  register: PhaseResult;
  workload: Record<Mode, ModeWorkload>;
  growth: Record<Mode, GrowthResult>;
  outage: Record<Mode, OutageResult>;
}

type Env = Record<string, string | undefined>;

const emailsOf = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `${tag}.${i}@compare.example.com`);

async function registerUsers(backend: BenchBackend, env: Record<string, string>, emails: string[], concurrency: number): Promise<PhaseResult> {
  const group = await startGroup(backend, env, false);
  const client = createGqlClient(group.urlA, concurrency * 2);
  try {
    return await runPool(emails.map(newCredential), concurrency, ops(client).register);
  } finally {
    client.close();
    await group.stop();
  }
}

/** The whole comparison: shared users, then per mode the workload, growth and outage. */
export async function runCompare(runEnv: Env, sizes: CompareSizes, log: (line: string) => void): Promise<CompareReport> {
  const started = performance.now();
  const backend = await createBenchBackend(runEnv);
  const secrets = runSecrets();
  const envFor = (mode: Mode, extra: Record<string, string> = {}) => (prefix: string | undefined) =>
    appEnv(mode, runEnv, backend.env(prefix), secrets, extra);
  try {
    const emails = emailsOf('user', sizes.users);
    log(`backend ${backend.name}: registering ${emails.length} users`);
    const register = await registerUsers(backend, envFor('jwt')(backend.redisUrl ? backend.newPrefix('register') : undefined), emails, sizes.concurrency);
    const workload = {} as Record<Mode, ModeWorkload>;
    for (const mode of MODES) workload[mode] = await runWorkload({ backend, mode, env: envFor(mode), sizes, emails, log });
    const growth = {} as Record<Mode, GrowthResult>;
    const growthEmails = emailsOf('grow', Math.max(...sizes.growthSteps));
    for (const mode of MODES) {
      growth[mode] = await runGrowth({
        backend, mode, env: envFor(mode, FAST_ARGON2), emails: growthEmails, steps: sizes.growthSteps,
        revocations: sizes.revocations, concurrency: Math.max(sizes.concurrency, 8), log,
      });
    }
    const outage = {} as Record<Mode, OutageResult>;
    for (const mode of MODES) {
      log(`${mode}: state store outage`);
      const env = (redisUrl: string) => ({ ...envFor(mode, FAST_ARGON2)(backend.newPrefix(`${mode}-outage`)), REDIS_URL: redisUrl });
      outage[mode] = await runOutage(backend, mode, env, growthEmails);
    }
    return {
      generatedAt: new Date().toISOString(),
      durationSec: round((performance.now() - started) / 1000, 1),
      machine: machineInfo(),
      backend: {
        name: backend.name,
        database: backend.databaseUrl ? `PostgreSQL, scratch database ${redactUrl(backend.databaseUrl)}` : 'PGlite (embedded, temporary DATA_DIR)',
        stateStore: backend.redisUrl ? `Redis ${redactUrl(backend.redisUrl)} (unique key prefix, deleted after)` : 'in-process (MemoryStateStore)',
      },
      settings: effectiveSettings(loadConfig(envFor('jwt')(undefined))),
      sizes,
      register,
      workload,
      growth,
      outage,
    };
  } finally {
    killPrivateRedis();
    await backend.cleanup();
  }
}

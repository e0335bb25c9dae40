import type { Mode } from './app-env.js';
import { startGroup } from './app-group.js';
import { measureAuthCost, type AuthCostResult } from './auth-phase.js';
import type { BenchBackend } from './backend.js';
import { createGqlClient, newCredential, type Credential } from './gql-client.js';
import { countPerOp, type OpCounts } from './op-counts.js';
import type { CompareSizes } from './options.js';
import { must, ops, type Ops } from './operations.js';
import { runPool, type PhaseResult } from './pool.js';
import { startRedisMonitor, type RedisMonitor } from './redis-monitor.js';
import { measureRevocationWindow, type RevocationWindow } from './revocation-window.js';
import { wireBytes, type WireBytes } from './wire-bytes.js';

export interface ModeWorkload {
  mode: Mode;
  latency: { login: PhaseResult; me: PhaseResult; refresh: PhaseResult; revoke: PhaseResult };
  authCost: AuthCostResult;
  wire: WireBytes;
  counts: { login: OpCounts; me: OpCounts; refresh: OpCounts; revoke: OpCounts };
  revocationWindow: RevocationWindow;
}

export interface WorkloadInput {
  backend: BenchBackend;
  mode: Mode;
  /** The app environment, given a Redis key prefix (ignored without Redis). */
  env(prefix: string | undefined): Record<string, string>;
  sizes: CompareSizes;
  emails: readonly string[];
  log(line: string): void;
}

/** Per-operation backend counts: sequential logins, `me`, refreshes and revokes on instance A. */
async function countOps(o: Ops, input: WorkloadInput, creds: Credential[], group: Parameters<typeof countPerOp>[0], monitor?: RedisMonitor) {
  const k = Math.min(input.sizes.countSamples, input.emails.length);
  const fresh = input.emails.slice(0, k).map(newCredential);
  const me = await countPerOp(group, monitor, k, (i) => o.me(creds[i % creds.length]!));
  const login = await countPerOp(group, monitor, k, (i) => o.login(fresh[i]!));
  const refresh = await countPerOp(group, monitor, k, (i) => o.refresh(fresh[i]!));
  const revoke = await countPerOp(group, monitor, k, (i) => o.revokeCurrent(fresh[i]!));
  return { login, me, refresh, revoke };
}

/**
 * One mode on two instances of one deployment: every user logs in, calls `me`, refreshes and
 * revokes; authentication is timed in-process; backend work is counted per operation; the
 * revocation window is measured from A to B.
 */
export async function runWorkload(input: WorkloadInput): Promise<ModeWorkload> {
  const { backend, mode, sizes, emails, log } = input;
  const prefix = backend.redisUrl ? backend.newPrefix(mode) : undefined;
  const group = await startGroup(backend, input.env(prefix), true);
  let monitor: RedisMonitor | undefined;
  const client = createGqlClient(group.urlA, sizes.concurrency * 2);
  const o = ops(client);
  try {
    const creds = emails.map(newCredential);
    const items = (n: number) => Array.from({ length: creds.length * n }, (_, i) => creds[i % creds.length]!);
    log(`${mode}: ${creds.length} logins`);
    const login = await runPool(creds, sizes.concurrency, o.login);
    if (login.failures === creds.length) throw new Error(`${mode}: every login failed (${login.failureKinds.join(', ')})`);
    const me = await runPool(items(sizes.meRounds), sizes.concurrency, o.me);
    log(`${mode}: authentication cost (${sizes.authIterations} iterations)`);
    const authCost = await measureAuthCost(mode, group, creds, sizes.authIterations);
    const probe = newCredential(emails[0]!);
    const wire = wireBytes(probe, must(await o.login(probe), 'probe login'));
    log(`${mode}: counting database and state-store work per operation`);
    // MONITOR slows Redis down: on only while counting, off for every timed phase.
    monitor = prefix ? await startRedisMonitor(backend.redisUrl!, prefix) : undefined;
    const counts = await countOps(o, input, creds, group, monitor);
    await monitor?.stop();
    const refresh = await runPool(creds, sizes.concurrency, o.refresh);
    log(`${mode}: revocation window over ${sizes.windowTrials} trials`);
    const revocationWindow = await measureRevocationWindow(group.urlA, group.urlB!, emails, sizes.windowTrials);
    const revoke = await runPool(creds, sizes.concurrency, o.revokeCurrent);
    return { mode, latency: { login, me, refresh, revoke }, authCost, wire, counts, revocationWindow };
  } finally {
    client.close();
    await group.stop();
    await monitor?.stop();
  }
}

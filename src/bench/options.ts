/** Sizes and durations of compare and bench, from flags and the environment (flags win). */

export interface CompareSizes {
  /** Users in the latency workload (each logs in, calls `me`, refreshes, revokes). */
  users: number;
  /** Authenticated `me` calls per user. */
  meRounds: number;
  /** Requests in flight at once in the latency workload. */
  concurrency: number;
  /** Iterations of the in-process authentication loop (median of these). */
  authIterations: number;
  /** Live logins at which state-store keys and memory are measured. */
  growthSteps: number[];
  /** Logins revoked after the last growth step. */
  revocations: number;
  /** Revoke-then-poll trials for the revocation window. */
  windowTrials: number;
  /** Sequential operations over which per-operation counts are averaged. */
  countSamples: number;
  quick: boolean;
}

const FULL: CompareSizes = {
  users: 200, meRounds: 5, concurrency: 8, authIterations: 20_000,
  growthSteps: [1_000, 10_000], revocations: 1_000, windowTrials: 20, countSamples: 50, quick: false,
};

const QUICK: CompareSizes = {
  users: 12, meRounds: 3, concurrency: 4, authIterations: 2_000,
  growthSteps: [40, 120], revocations: 20, windowTrials: 3, countSamples: 5, quick: true,
};

export interface BenchSettings {
  /** Seconds per load scenario. */
  durationSec: number;
  connections: number;
  quick: boolean;
}

const flag = (argv: readonly string[], name: string): string | undefined => {
  const hit = argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (!hit) return undefined;
  return hit.includes('=') ? hit.slice(hit.indexOf('=') + 1) : 'true';
};

const int = (text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : undefined;
};

const isQuick = (argv: readonly string[], env: Record<string, string | undefined>, sizeVar: string) =>
  flag(argv, 'quick') !== undefined || env[sizeVar] === 'quick';

/** `--quick` or COMPARE_SIZE=quick for the reduced run; COMPARE_USERS etc. override one size. */
export function compareSizes(argv: readonly string[], env: Record<string, string | undefined>): CompareSizes {
  const base = isQuick(argv, env, 'COMPARE_SIZE') ? QUICK : FULL;
  const steps = (flag(argv, 'growth') ?? env.COMPARE_GROWTH)?.split(',').map((s) => int(s.trim())).filter((n): n is number => !!n);
  return {
    ...base,
    users: int(flag(argv, 'users') ?? env.COMPARE_USERS) ?? base.users,
    concurrency: int(flag(argv, 'concurrency') ?? env.COMPARE_CONCURRENCY) ?? base.concurrency,
    authIterations: int(flag(argv, 'auth-iterations') ?? env.COMPARE_AUTH_ITERATIONS) ?? base.authIterations,
    growthSteps: steps?.length ? steps.sort((a, b) => a - b) : base.growthSteps,
    revocations: int(flag(argv, 'revocations') ?? env.COMPARE_REVOCATIONS) ?? base.revocations,
  };
}

/** `--quick` or BENCH_SIZE=quick: 1 s scenarios; BENCH_DURATION / BENCH_CONNECTIONS override. */
export function benchSettings(argv: readonly string[], env: Record<string, string | undefined>): BenchSettings {
  const quick = isQuick(argv, env, 'BENCH_SIZE');
  return {
    durationSec: int(flag(argv, 'duration') ?? env.BENCH_DURATION) ?? (quick ? 1 : 5),
    connections: int(flag(argv, 'connections') ?? env.BENCH_CONNECTIONS) ?? 16,
    quick,
  };
}

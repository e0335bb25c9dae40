import { round, summarize, type LatencySummary } from './stats.js';
import { failureOf, type GqlResult } from './gql-client.js';

export interface PhaseResult extends LatencySummary {
  /** Completed operations per second of wall time, with `concurrency` in flight. */
  perSec: number;
  concurrency: number;
  failures: number;
  /** The first few distinct failures, for the report. */
  failureKinds: string[];
}

/**
 * Runs `fn` over every item with at most `concurrency` in flight (a closed loop, as N clients
 * would), timing each call; throughput is operations over wall time.
 */
export async function runPool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<GqlResult>): Promise<PhaseResult> {
  const latencies: number[] = [];
  const kinds = new Set<string>();
  let failures = 0;
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      const res = await fn(item);
      latencies.push(res.ms);
      const failure = failureOf(res);
      if (failure) {
        failures++;
        if (kinds.size < 3) kinds.add(failure);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  const wallMs = performance.now() - start;
  return {
    ...summarize(latencies),
    perSec: round((items.length / wallMs) * 1000, 1),
    concurrency,
    failures,
    failureKinds: [...kinds],
  };
}

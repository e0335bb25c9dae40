import type { RunningApp } from '../app.js';
import { fakeExchange, runMiddleware } from './fake-exchange.js';
import type { RawVerify } from './raw-verify.js';
import { quantile, round } from './stats.js';

export interface CostSummary {
  iterations: number;
  medianUs: number;
  p99Us: number;
  /** Iterations that did not authenticate (should be 0). */
  failures: number;
}

function summarizeUs(samplesNs: readonly number[], failures: number): CostSummary {
  const sorted = [...samplesNs].sort((a, b) => a - b);
  return {
    iterations: sorted.length,
    medianUs: round(quantile(sorted, 0.5) / 1000, 2),
    p99Us: round(quantile(sorted, 0.99) / 1000, 2),
    failures,
  };
}

/**
 * The per-request cost of authentication alone, in-process: the strategy's middleware (where
 * a session is loaded) plus `authenticate()` (verification and revocation check), on a request
 * object as Express builds it, one after another. Building the request is not timed.
 */
export async function timeAuthenticate(
  running: RunningApp,
  headerSets: ReadonlyArray<Record<string, string>>,
  iterations: number,
): Promise<CostSummary> {
  const samples: number[] = [];
  let failures = 0;
  for (let i = 0; i < iterations; i++) {
    const http = fakeExchange(running.app, headerSets[i % headerSets.length]!);
    const start = process.hrtime.bigint();
    let ok = false;
    try {
      await runMiddleware(running.strategy.middleware, http);
      ok = (await running.strategy.authenticate(http)) !== null;
    } catch {
      ok = false;
    }
    samples.push(Number(process.hrtime.bigint() - start));
    if (!ok) failures++;
  }
  return summarizeUs(samples, failures);
}

/** The same loop around the bare node:crypto check. */
export function timeRaw(verify: RawVerify, iterations: number): CostSummary {
  const samples: number[] = [];
  let failures = 0;
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    const ok = verify();
    samples.push(Number(process.hrtime.bigint() - start));
    if (!ok) failures++;
  }
  return summarizeUs(samples, failures);
}

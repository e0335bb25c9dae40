import { Algorithm, hash } from '@node-rs/argon2';
import type { Argon2Params } from '../auth/passwords.js';
import { round } from './stats.js';

export interface Argon2Rate {
  params: string;
  concurrency: number;
  hashesPerSec: number;
}

/**
 * The raw argon2id hash rate with the configured parameters, `concurrency` hashes in flight
 * for `durationSec`: the ceiling for logins on this machine (a login verifies one hash).
 */
export async function measureArgon2Rate(params: Argon2Params, concurrency: number, durationSec: number): Promise<Argon2Rate> {
  const options = { algorithm: Algorithm.Argon2id, ...params };
  const end = performance.now() + durationSec * 1000;
  let done = 0;
  const start = performance.now();
  const loop = async () => {
    while (performance.now() < end) {
      await hash('raw argon2 rate benchmark password', options);
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return {
    params: `m=${params.memoryCost} KiB, t=${params.timeCost}, p=${params.parallelism}`,
    concurrency,
    hashesPerSec: round((done / (performance.now() - start)) * 1000, 1),
  };
}

import { StateStoreUnavailableError } from './state-store.js';

/**
 * Rejects with StateStoreUnavailableError when `promise` has not settled within `ms`.
 *
 * node-redis's per-command `timeout` only bounds the wait to be *sent* (its commands-queue:
 * "The timeout covers only the wait to be sent"); a server that accepts the command and then
 * stops answering (frozen, swapping, partitioned mid-reply) would hold the request for as long
 * as that lasts. The late reply, if any, is still read by the client and simply dropped.
 */
export function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  late: () => Error = () => new StateStoreUnavailableError(`state store gave no answer within ${ms} ms`),
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

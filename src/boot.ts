import type { Logger } from './logger.js';
import { toDependencyError } from './stores/dependency-errors.js';

const RETRY_MAX_MS = 5_000;

export interface Boot {
  /** Starts the first attempt; later ones follow by themselves until one succeeds. */
  run(): void;
  readonly done: boolean;
  /** Resolves when boot succeeded; rejects on a fault retrying cannot mend. */
  ready(): Promise<void>;
  /** True when boot finishes within `ms`; false on timeout or failure. */
  waitFor(ms: number): Promise<boolean>;
  stop(): void;
}

/**
 * What must happen before GraphQL can serve (migrations, the strategy's keys and replicas)
 * needs the database. An outage is retried with capped back-off, so the service comes up by
 * itself when the database does; any other failure (a wrong KEY_ENCRYPTION_KEY, an edited
 * migration) is fatal: said once, then `onFatal`, rather than 503s forever.
 */
export function createBoot(steps: () => Promise<void>, logger: Logger, onFatal?: (error: unknown) => void): Boot {
  let done = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const ready = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  ready.catch(() => {}); // observed through ready() and onFatal; never an unhandled rejection

  async function attempt(n: number): Promise<void> {
    try {
      await steps();
      done = true;
      resolve();
    } catch (error) {
      if (stopped) return;
      const message = (error as Error).message;
      if (!toDependencyError(error)) {
        logger.fatal({ err: { message } }, 'boot failed');
        reject(error);
        onFatal?.(error);
        return;
      }
      const delay = Math.min(250 * 2 ** n, RETRY_MAX_MS);
      logger.error({ err: { message }, retryInMs: delay }, 'database not ready; retrying');
      timer = setTimeout(() => void attempt(n + 1), delay);
    }
  }

  return {
    run: () => void attempt(0),
    get done() {
      return done;
    },
    ready: () => ready,
    waitFor: (ms) =>
      Promise.race([
        ready.then(() => true, () => false),
        new Promise<boolean>((res) => setTimeout(() => res(false), ms).unref()),
      ]),
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

import { Worker } from 'node:worker_threads';
import type { LoadResult, LoadScenario, LoadSettings } from './load-scenario.js';

/**
 * The worker is TypeScript like the rest; a worker thread does not inherit tsx's loader, so
 * a two-line bootstrap registers it there first (or imports the compiled .js as it is).
 */
function bootstrap(): string {
  const here = new URL(import.meta.url);
  const worker = new URL(here.pathname.endsWith('.ts') ? './load-worker.ts' : './load-worker.js', here).href;
  const tsx = here.pathname.endsWith('.ts') ? import.meta.resolve('tsx/esm/api') : null;
  return `(async () => {
    ${tsx ? `(await import(${JSON.stringify(tsx)})).register();` : ''}
    await import(${JSON.stringify(worker)});
  })();`;
}

/** Runs one scenario in a worker thread; resolves with its result, bounded in time. */
export async function runLoad(scenario: LoadScenario, settings: LoadSettings): Promise<LoadResult> {
  const worker = new Worker(bootstrap(), { eval: true, workerData: { scenario, settings } });
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<LoadResult>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`load scenario ${scenario.name} did not finish`)), (settings.durationSec + 30) * 1000);
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`load worker exited with code ${code}`)));
    });
  } finally {
    clearTimeout(timer);
    await worker.terminate();
  }
}

import { cleanupAllBackends } from './backend.js';
import { killPrivateRedis } from './redis-server.js';

/**
 * Runs a CLI's main: exit 0 on success, 1 on failure; on SIGINT / SIGTERM the scratch database,
 * Redis keys, temporary files and private redis-servers are removed before exiting.
 */
export function runCli(name: string, main: () => Promise<void>): void {
  const interrupted = (signal: string) => {
    process.stderr.write(`[${name}] ${signal}: cleaning up\n`);
    killPrivateRedis();
    void cleanupAllBackends().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  main().then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`[${name}] failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}

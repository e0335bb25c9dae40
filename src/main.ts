import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { fileDevSecrets } from './dev-secrets.js';
import { createLogger } from './logger.js';

/** Process entry: read config once, run the app, shut down cleanly on SIGTERM / SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env, fileDevSecrets);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`config error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  if (!config.production && (config.jwt.keyEncryptionKeyGenerated || config.session.secretGenerated)) {
    logger.warn({ dataDir: config.dataDir }, 'using development secrets kept in DATA_DIR; set KEY_ENCRYPTION_KEY and SESSION_SECRET in production');
  }
  const running = createApp(config, {
    logger,
    onFatal: () => {
      void running.stop().finally(() => process.exit(1));
    },
  });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Whatever happens, the process is gone within the shutdown bound.
    setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    running.stop().then(
      () => process.exit(0),
      (error) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  try {
    await running.start();
  } catch (error) {
    logger.fatal({ err: { message: (error as Error).message } }, 'could not start');
    await running.stop().catch(() => {});
    process.exit(1);
  }
}

void main();

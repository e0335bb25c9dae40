import { rotateSigningKey } from '../auth/jwt/signing-keys.js';
import { KEYS_CHANNEL } from '../auth/jwt/key-maintenance.js';
import { loadConfig } from '../config.js';
import { fileDevSecrets } from '../dev-secrets.js';
import { createDatabase } from '../stores/database.js';
import { applyMigrations } from '../stores/migrations.js';
import { RedisStateStore } from '../stores/redis-state-store.js';

/**
 * `npm run keys:rotate`: adds a signing key now. It is published in the JWKS at once and signs
 * after one JWKS cache period (plus the instances' reload interval); the previous key keeps
 * verifying until its tokens expire. Prints the new kid only, never key material.
 * With the embedded database, stop the service first: PGlite serves one process at a time.
 */
async function announce(url: string, prefix: string, timeoutMs: number, kid: string): Promise<boolean> {
  const store = new RedisStateStore({ url, keyPrefix: prefix, timeoutMs, onError: () => {} });
  store.connect();
  try {
    const deadline = Date.now() + 5_000;
    while (!store.isReady && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await store.publish(KEYS_CHANNEL, JSON.stringify({ kid }));
    return true;
  } catch {
    return false;
  } finally {
    await store.close();
  }
}

const config = loadConfig(process.env, fileDevSecrets);
const db = createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  await applyMigrations(db);
  const kid = await rotateSigningKey(db.prisma, config, () => Date.now(), 'forced');
  const row = await db.prisma.signingKey.findUnique({ where: { kid: kid! }, select: { activatesAt: true } });
  console.log(`new signing key ${kid} (${config.jwt.alg}); published now, signs from ${row?.activatesAt.toISOString()}`);
  const told = config.redisUrl && (await announce(config.redisUrl, config.redisKeyPrefix, config.stateStoreTimeoutMs, kid!));
  if (!told) console.log('running instances pick it up at their next periodic reload (within 30 s)');
} catch (error) {
  console.error(`key rotation failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.close();
}

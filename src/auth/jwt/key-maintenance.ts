import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { PrismaClient } from '../../generated/prisma/client.js';
import type { Logger } from '../../logger.js';
import type { StateStore } from '../../stores/state-store.js';
import type { KeyRing } from './key-ring.js';
import { settleWithin } from './settle.js';
import { retireSupersededKeys, rotateSigningKey, type RotationMode } from './signing-keys.js';

export const KEYS_CHANNEL = 'jwt:keys';

export interface KeyMaintenanceDeps {
  config: Config;
  clock: Clock;
  prisma: PrismaClient;
  stateStore: StateStore;
  logger: Logger;
  ring: KeyRing;
}

/**
 * Keeps the key set current on this instance: scheduled rotation, recording retirements,
 * reloading after another instance (or `npm run keys:rotate`) rotated. A rotation is announced
 * on the state store so every instance reloads at once; the periodic reload is the backstop.
 */
export function createKeyMaintenance({ config, clock, prisma, stateStore, logger, ring }: KeyMaintenanceDeps) {
  let unsubscribe: (() => Promise<void>) | undefined;
  const warn = (what: string) => (error: unknown) => logger.warn({ err: { message: (error as Error).message } }, what);

  async function announce(kid: string): Promise<void> {
    await stateStore.publish(KEYS_CHANNEL, JSON.stringify({ kid })).catch(warn('key rotation notice not published'));
  }

  async function rotate(mode: RotationMode): Promise<string | null> {
    const kid = await rotateSigningKey(prisma, config, () => clock.now(), mode);
    if (kid) {
      logger.info({ kid, mode }, 'signing key added');
      await ring.reload();
      await announce(kid);
    }
    return kid;
  }

  return {
    /**
     * Refuses to start with a KEY_ENCRYPTION_KEY that cannot decrypt the stored keys (before
     * writing anything), then makes sure a key exists and is not overdue.
     */
    async start(): Promise<void> {
      await ring.reload(true);
      if (await rotateSigningKey(prisma, config, () => clock.now(), 'scheduled')) await ring.reload(true);
      unsubscribe = await stateStore.subscribe(KEYS_CHANNEL, {
        onMessage: () => void ring.reload().catch(warn('key reload failed')),
        onReady: () => void ring.reload().catch(warn('key reload failed')),
      });
    },

    async stop(): Promise<void> {
      const step = unsubscribe;
      unsubscribe = undefined;
      await settleWithin(step, config.stateStoreTimeoutMs);
    },

    /** One periodic pass; each step on its own, so one failing does not skip the others. */
    async tick(): Promise<void> {
      await rotate('scheduled').catch(warn('scheduled key rotation failed'));
      await retireSupersededKeys(prisma, config, clock.now()).catch(warn('key retirement failed'));
      await ring.reload().catch(warn('key reload failed'));
    },

    /** `npm run keys:rotate` and tests: a new key now, signing after the publication lead. */
    rotateNow: async (): Promise<string> => (await rotate('forced'))!,
  };
}

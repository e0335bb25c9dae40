import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';

export type Mode = 'jwt' | 'session';
export const MODES: readonly Mode[] = ['jwt', 'session'];

/** Lower argon2id cost for mass logins (growth measurements); the report says so. */
export const FAST_ARGON2 = { ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1', ARGON2_PARALLELISM: '1' } as const;

/**
 * Rate limits from the abuse-resistance settings, raised so that a benchmark sending every
 * request from 127.0.0.1 measures the service, not its throttle. Unknown names are ignored
 * by loadConfig, so this is safe before those settings exist.
 */
export const UNTHROTTLED = {
  REGISTER_IP_LIMIT: '100000000',
  REFRESH_IP_LIMIT: '100000000',
  LOGIN_IP_MAX_FAILURES: '100000000',
  LOGIN_ACCOUNT_MAX_FAILURES: '100000000',
  LOGIN_FREE_FAILURES: '100000000',
} as const;

/** Settings a run passes through from its own environment (everything else is fixed here). */
const PASSED = [
  'JWT_ALG', 'ACCESS_TOKEN_TTL', 'REFRESH_TOKEN_TTL', 'JWT_CLOCK_TOLERANCE', 'REFRESH_REUSE_GRACE', 'TOKEN_BINDING',
  'SESSION_IDLE_TTL', 'SESSION_ABSOLUTE_TTL', 'ARGON2_MEMORY_KIB', 'ARGON2_TIME_COST', 'ARGON2_PARALLELISM',
  'STATE_STORE_TIMEOUT', 'JWT_AUDIENCE',
];

/** One run's secrets, shared by every app of the run: they share one database and store. */
export function runSecrets(): Record<string, string> {
  return { KEY_ENCRYPTION_KEY: randomBytes(32).toString('hex'), SESSION_SECRET: randomBytes(32).toString('base64url') };
}

/** The environment of one app of a run: loopback, port 0, silent, the run's secrets. */
export function appEnv(
  mode: Mode,
  runEnv: Record<string, string | undefined>,
  backendEnv: Record<string, string>,
  secrets: Record<string, string>,
  extra: Record<string, string> = {},
): Record<string, string> {
  const passed = Object.fromEntries(PASSED.filter((k) => runEnv[k]).map((k) => [k, runEnv[k]!]));
  return {
    ...passed,
    ...UNTHROTTLED,
    ...secrets,
    ...backendEnv,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    JWT_ISSUER: 'http://127.0.0.1/identity-compare',
    AUTH_MODE: mode,
    ...extra,
  };
}

/** The settings that shaped a run, as the service read them (no secrets, no addresses). */
export function effectiveSettings(config: Config): Record<string, string> {
  const ms = (n: number) => `${n}ms`;
  return {
    argon2id: `m=${config.argon2.memoryCost} KiB, t=${config.argon2.timeCost}, p=${config.argon2.parallelism}`,
    JWT_ALG: config.jwt.alg,
    ACCESS_TOKEN_TTL: ms(config.jwt.accessTtlMs),
    REFRESH_TOKEN_TTL: ms(config.jwt.refreshTtlMs),
    REFRESH_REUSE_GRACE: ms(config.jwt.reuseGraceMs),
    TOKEN_DELIVERY: config.jwt.delivery,
    TOKEN_BINDING: config.jwt.binding,
    SESSION_IDLE_TTL: ms(config.session.idleTtlMs),
    SESSION_ABSOLUTE_TTL: ms(config.session.absoluteTtlMs),
    STATE_STORE_TIMEOUT: ms(config.stateStoreTimeoutMs),
    rateLimits: 'raised for the run (all traffic comes from 127.0.0.1)',
  };
}

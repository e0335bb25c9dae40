import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { abuseEnvShape, abuseSettings, type LimitsConfig } from './abuse/settings.js';
import { parseDuration } from './duration.js';

/** Thrown by loadConfig; `message` is the one line printed before exiting with code 1. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const duration = (what: string) =>
  z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: `${what}: a duration such as 900, 900s, 15m, 12h or 14d` });
      return z.NEVER;
    }
    return ms;
  });

const positiveDuration = (what: string) =>
  duration(what).refine((ms) => ms > 0, { message: `${what}: a duration greater than zero` });

const port = z.coerce
  .number({ message: 'a port number from 0 to 65535' })
  .int('a port number from 0 to 65535')
  .min(0, 'a port number from 0 to 65535')
  .max(65535, 'a port number from 0 to 65535');

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'a postgresql:// URL')
  .optional();

const redisUrl = z
  .string()
  .regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL')
  .optional();

const KEY_HEX = /^[0-9a-fA-F]{64}$/;

/** 32 bytes as 64 hex characters or base64; anything else is refused. */
function decodeKey(text: string): Buffer | null {
  if (KEY_HEX.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    const bytes = Buffer.from(text, 'base64');
    if (bytes.length === 32) return bytes;
  }
  return null;
}

const envSchema = z.object({
  AUTH_MODE: z.enum(['jwt', 'session'], { message: "'jwt' or 'session'" }).default('jwt'),
  HOST: z.string().min(1, 'a host name or address').default('127.0.0.1'),
  PORT: port.default(4000),
  DATABASE_URL: postgresUrl,
  DATA_DIR: z.string().min(1, 'a directory path').default('./data'),
  REDIS_URL: redisUrl,
  REDIS_KEY_PREFIX: z.string().max(64, 'a prefix of at most 64 characters').default('identity:'),
  NODE_ENV: z
    .enum(['development', 'production', 'test'], { message: "'development', 'production' or 'test'" })
    .default('development'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'one of fatal, error, warn, info, debug, trace, silent',
    })
    .optional(),
  JWT_ALG: z.enum(['EdDSA', 'ES256', 'RS256', 'HS256'], { message: 'EdDSA, ES256, RS256 or HS256' }).default('EdDSA'),
  JWT_ISSUER: z.string().min(1, 'a non-empty issuer').optional(),
  JWT_AUDIENCE: z.string().min(1, 'a non-empty audience').default('identity'),
  ACCESS_TOKEN_TTL: positiveDuration('ACCESS_TOKEN_TTL').prefault('15m'),
  REFRESH_TOKEN_TTL: positiveDuration('REFRESH_TOKEN_TTL').prefault('14d'),
  JWT_CLOCK_TOLERANCE: duration('JWT_CLOCK_TOLERANCE').prefault('5s'),
  KEY_ROTATION_INTERVAL: positiveDuration('KEY_ROTATION_INTERVAL').prefault('30d'),
  JWKS_MAX_AGE: duration('JWKS_MAX_AGE').prefault('5m'),
  REFRESH_REUSE_GRACE: duration('REFRESH_REUSE_GRACE').prefault('10s'),
  TOKEN_DELIVERY: z.enum(['header', 'cookie'], { message: "'header' or 'cookie'" }).default('header'),
  TOKEN_BINDING: z.enum(['none', 'user-agent'], { message: "'none' or 'user-agent'" }).default('none'),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((text) => text.split(',').map((o) => o.trim()).filter(Boolean))
    .refine((origins) => origins.every((o) => /^https?:\/\/[^/\s]+$/.test(o)), {
      message: 'comma-separated origins such as https://app.example.com',
    }),
  TRUST_PROXY: z.string().optional(),
  SESSION_IDLE_TTL: positiveDuration('SESSION_IDLE_TTL').prefault('30m'),
  SESSION_ABSOLUTE_TTL: positiveDuration('SESSION_ABSOLUTE_TTL').prefault('7d'),
  SESSION_SECRET: z
    .string()
    .transform((text) => text.split(',').map((s) => s.trim()).filter(Boolean))
    .refine((secrets) => secrets.length > 0 && secrets.every((s) => s.length >= 32), {
      message: 'one or more comma-separated secrets of at least 32 characters',
    })
    .optional(),
  KEY_ENCRYPTION_KEY: z
    .string()
    .transform((text, ctx) => {
      const key = decodeKey(text.trim());
      if (!key) {
        ctx.addIssue({ code: 'custom', message: '32 bytes as 64 hex characters or base64' });
        return z.NEVER;
      }
      return key;
    })
    .optional(),
  ARGON2_MEMORY_KIB: z.coerce.number().int().min(1024, 'an integer of at least 1024 (KiB)').default(19_456),
  ARGON2_TIME_COST: z.coerce.number().int().min(1, 'an integer of at least 1').default(2),
  ARGON2_PARALLELISM: z.coerce.number().int().min(1, 'an integer of at least 1').default(1),
  STATE_STORE_TIMEOUT: positiveDuration('STATE_STORE_TIMEOUT').prefault('1s'),
  SHUTDOWN_TIMEOUT: positiveDuration('SHUTDOWN_TIMEOUT').prefault('8s'),
  ...abuseEnvShape(duration),
});

type Env = z.infer<typeof envSchema>;

/** Everything the service reads from its environment, validated once and frozen. */
export interface Config {
  readonly mode: Env['AUTH_MODE'];
  readonly host: string;
  readonly port: number;
  readonly production: boolean;
  readonly nodeEnv: Env['NODE_ENV'];
  readonly logLevel: NonNullable<Env['LOG_LEVEL']>;
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly redisUrl: string | undefined;
  readonly redisKeyPrefix: string;
  readonly corsOrigins: readonly string[];
  readonly trustProxy: boolean | number | string | undefined;
  readonly stateStoreTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  /** Longest an HTTP request may take to arrive in full (slow-loris bound). */
  readonly requestTimeoutMs: number;
  /** Login, register and refresh throttling. */
  readonly limits: LimitsConfig;
  /** How long authentication events are kept. */
  readonly auditRetentionMs: number;
  readonly argon2: { readonly memoryCost: number; readonly timeCost: number; readonly parallelism: number };
  readonly jwt: {
    readonly alg: Env['JWT_ALG'];
    readonly issuer: string;
    readonly audience: string;
    readonly accessTtlMs: number;
    readonly refreshTtlMs: number;
    readonly clockToleranceMs: number;
    readonly rotationIntervalMs: number;
    readonly jwksMaxAgeMs: number;
    readonly reuseGraceMs: number;
    readonly delivery: Env['TOKEN_DELIVERY'];
    readonly binding: Env['TOKEN_BINDING'];
    readonly keyEncryptionKey: Buffer;
    /** True when KEY_ENCRYPTION_KEY was not given and a development one was used. */
    readonly keyEncryptionKeyGenerated: boolean;
  };
  readonly session: {
    readonly idleTtlMs: number;
    readonly absoluteTtlMs: number;
    readonly secrets: readonly string[];
    readonly secretGenerated: boolean;
  };
}

function parseTrustProxy(value: string | undefined): Config['trustProxy'] {
  if (value === undefined || value === '') return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid configuration';
  const name = String(issue.path[0] ?? 'configuration');
  const accepts = issue.message.startsWith(`${name}: `) ? issue.message.slice(name.length + 2) : issue.message;
  return `${name}: invalid value; accepts ${accepts}`;
}

/**
 * Reads and validates the environment once. Throws ConfigError with one line naming the
 * variable and what it accepts. Empty strings count as unset, as most deploy tools write them.
 */
export interface DevSecrets {
  keyEncryptionKey: Buffer;
  sessionSecret: string;
}

/** Development secrets that live only as long as this process (tests); main.ts keeps them in DATA_DIR. */
export const ephemeralSecrets = (): DevSecrets => ({
  keyEncryptionKey: randomBytes(32),
  sessionSecret: randomBytes(32).toString('base64url'),
});

export function loadConfig(
  env: Record<string, string | undefined>,
  devSecrets: (dataDir: string) => DevSecrets = ephemeralSecrets,
): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) throw new ConfigError(firstIssue(parsed.error));
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';

  if (production && e.AUTH_MODE === 'session' && !e.SESSION_SECRET) {
    throw new ConfigError('SESSION_SECRET: required when NODE_ENV=production in session mode; accepts one or more comma-separated secrets of at least 32 characters');
  }
  if (production && e.AUTH_MODE === 'jwt' && !e.KEY_ENCRYPTION_KEY) {
    throw new ConfigError('KEY_ENCRYPTION_KEY: required when NODE_ENV=production in jwt mode; accepts 32 bytes as 64 hex characters or base64');
  }

  const generated = !e.KEY_ENCRYPTION_KEY || !e.SESSION_SECRET ? devSecrets(e.DATA_DIR) : undefined;

  return Object.freeze({
    mode: e.AUTH_MODE,
    host: e.HOST,
    port: e.PORT,
    production,
    nodeEnv: e.NODE_ENV,
    logLevel: e.LOG_LEVEL ?? (e.NODE_ENV === 'test' ? 'silent' : 'info'),
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    corsOrigins: Object.freeze([...e.CORS_ORIGINS]),
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    stateStoreTimeoutMs: e.STATE_STORE_TIMEOUT,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT,
    ...abuseSettings(e),
    argon2: Object.freeze({ memoryCost: e.ARGON2_MEMORY_KIB, timeCost: e.ARGON2_TIME_COST, parallelism: e.ARGON2_PARALLELISM }),
    jwt: Object.freeze({
      alg: e.JWT_ALG,
      issuer: e.JWT_ISSUER ?? `http://${e.HOST}:${e.PORT}`,
      audience: e.JWT_AUDIENCE,
      accessTtlMs: e.ACCESS_TOKEN_TTL,
      refreshTtlMs: e.REFRESH_TOKEN_TTL,
      clockToleranceMs: e.JWT_CLOCK_TOLERANCE,
      rotationIntervalMs: e.KEY_ROTATION_INTERVAL,
      jwksMaxAgeMs: e.JWKS_MAX_AGE,
      reuseGraceMs: e.REFRESH_REUSE_GRACE,
      delivery: e.TOKEN_DELIVERY,
      binding: e.TOKEN_BINDING,
      keyEncryptionKey: e.KEY_ENCRYPTION_KEY ?? generated!.keyEncryptionKey,
      keyEncryptionKeyGenerated: !e.KEY_ENCRYPTION_KEY,
    }),
    session: Object.freeze({
      idleTtlMs: e.SESSION_IDLE_TTL,
      absoluteTtlMs: e.SESSION_ABSOLUTE_TTL,
      secrets: Object.freeze(e.SESSION_SECRET ?? [generated!.sessionSecret]),
      secretGenerated: !e.SESSION_SECRET,
    }),
  });
}

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { parseDuration } from '../../src/duration.js';

describe('parseDuration', () => {
  it.each([
    ['900', 900_000],
    ['900s', 900_000],
    ['15m', 900_000],
    ['12h', 43_200_000],
    ['14d', 1_209_600_000],
    ['0', 0],
  ])('reads %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '15 minutes', '-5s', '1.5h', '10w', 'm', '99999999999999999d'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe('loadConfig', () => {
  it('gives the contract defaults on an empty environment', () => {
    const c = loadConfig({});
    expect(c.mode).toBe('jwt');
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(4000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir).toBe('./data');
    expect(c.redisUrl).toBeUndefined();
    expect(c.production).toBe(false);
    expect(c.jwt.alg).toBe('EdDSA');
    expect(c.jwt.issuer).toBe('http://127.0.0.1:4000');
    expect(c.jwt.audience).toBe('identity');
    expect(c.jwt.accessTtlMs).toBe(15 * 60_000);
    expect(c.jwt.refreshTtlMs).toBe(14 * 86_400_000);
    expect(c.jwt.clockToleranceMs).toBe(5_000);
    expect(c.jwt.rotationIntervalMs).toBe(30 * 86_400_000);
    expect(c.jwt.reuseGraceMs).toBe(10_000);
    expect(c.jwt.delivery).toBe('header');
    expect(c.jwt.binding).toBe('none');
    expect(c.corsOrigins).toEqual([]);
    expect(c.session.idleTtlMs).toBe(30 * 60_000);
    expect(c.session.absoluteTtlMs).toBe(7 * 86_400_000);
    expect(c.argon2).toEqual({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads every setting it is given', () => {
    const c = loadConfig({
      AUTH_MODE: 'session',
      PORT: '8080',
      JWT_ALG: 'RS256',
      JWT_ISSUER: 'https://id.example.com',
      ACCESS_TOKEN_TTL: '5m',
      CORS_ORIGINS: 'https://a.example.com, https://b.example.com',
      TRUST_PROXY: '2',
      SESSION_SECRET: `${'a'.repeat(32)},${'b'.repeat(40)}`,
      KEY_ENCRYPTION_KEY: 'ab'.repeat(32),
    });
    expect(c.mode).toBe('session');
    expect(c.port).toBe(8080);
    expect(c.jwt.alg).toBe('RS256');
    expect(c.jwt.issuer).toBe('https://id.example.com');
    expect(c.jwt.accessTtlMs).toBe(300_000);
    expect(c.corsOrigins).toEqual(['https://a.example.com', 'https://b.example.com']);
    expect(c.trustProxy).toBe(2);
    expect(c.session.secrets).toEqual(['a'.repeat(32), 'b'.repeat(40)]);
    expect(c.jwt.keyEncryptionKey.equals(Buffer.alloc(32, 0xab))).toBe(true);
    expect(c.jwt.keyEncryptionKeyGenerated).toBe(false);
  });

  it('accepts a base64 key-encryption key of 32 bytes', () => {
    const key = Buffer.alloc(32, 7);
    expect(loadConfig({ KEY_ENCRYPTION_KEY: key.toString('base64') }).jwt.keyEncryptionKey.equals(key)).toBe(true);
  });

  it.each([
    ['AUTH_MODE', 'oauth', /^AUTH_MODE: invalid value; accepts 'jwt' or 'session'$/],
    ['PORT', '70000', /^PORT: .*port number/],
    ['PORT', 'http', /^PORT: /],
    ['ACCESS_TOKEN_TTL', '15 minutes', /^ACCESS_TOKEN_TTL: .*900, 900s, 15m, 12h or 14d/],
    ['REFRESH_TOKEN_TTL', '0', /^REFRESH_TOKEN_TTL: .*greater than zero/],
    ['JWT_ALG', 'none', /^JWT_ALG: .*EdDSA, ES256, RS256 or HS256/],
    ['DATABASE_URL', 'mysql://x', /^DATABASE_URL: .*postgresql:\/\//],
    ['REDIS_URL', 'localhost:6379', /^REDIS_URL: .*redis:\/\//],
    ['SESSION_SECRET', 'short', /^SESSION_SECRET: .*at least 32 characters/],
    ['KEY_ENCRYPTION_KEY', 'abcd', /^KEY_ENCRYPTION_KEY: .*64 hex characters or base64/],
    ['CORS_ORIGINS', 'not an origin', /^CORS_ORIGINS: /],
    ['TOKEN_DELIVERY', 'query', /^TOKEN_DELIVERY: /],
  ])('refuses %s=%s with one line naming it', (name, value, message) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('requires KEY_ENCRYPTION_KEY in production in jwt mode', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/^KEY_ENCRYPTION_KEY: required/);
  });

  it('requires SESSION_SECRET in production in session mode', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', AUTH_MODE: 'session' })).toThrow(/^SESSION_SECRET: required/);
  });

  it('uses the development secrets it is handed when none are configured', () => {
    const kek = Buffer.alloc(32, 1);
    const c = loadConfig({}, () => ({ keyEncryptionKey: kek, sessionSecret: 's'.repeat(43) }));
    expect(c.jwt.keyEncryptionKey).toBe(kek);
    expect(c.jwt.keyEncryptionKeyGenerated).toBe(true);
    expect(c.session.secrets).toEqual(['s'.repeat(43)]);
  });
});

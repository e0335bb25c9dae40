import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('abuse-resistance settings', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c.limits).toEqual({
      loginFreeFailures: 5,
      loginBackoffBaseMs: 30_000,
      loginBackoffMaxMs: 3_600_000,
      loginFailureWindowMs: 86_400_000,
      loginAccount: { points: 100, windowMs: 3_600_000 },
      loginIp: { points: 100, windowMs: 3_600_000 },
      trustedAddressTtlMs: 30 * 86_400_000,
      registerIp: { points: 20, windowMs: 3_600_000 },
      refreshIp: { points: 300, windowMs: 300_000 },
    });
    expect(c.auditRetentionMs).toBe(90 * 86_400_000);
    expect(c.requestTimeoutMs).toBe(30_000);
    expect(Object.isFrozen(c.limits)).toBe(true);
  });

  it('reads every setting it is given', () => {
    const c = loadConfig({
      LOGIN_FREE_FAILURES: '3', LOGIN_BACKOFF_BASE: '10s', LOGIN_BACKOFF_MAX: '15m', LOGIN_FAILURE_WINDOW: '12h',
      LOGIN_ACCOUNT_MAX_FAILURES: '50', LOGIN_ACCOUNT_WINDOW: '30m', LOGIN_IP_MAX_FAILURES: '200', LOGIN_IP_WINDOW: '2h',
      LOGIN_TRUSTED_ADDRESS_TTL: '7d', REGISTER_IP_LIMIT: '5', REGISTER_IP_WINDOW: '1d', REFRESH_IP_LIMIT: '60',
      REFRESH_IP_WINDOW: '1m', AUDIT_RETENTION: '30d', REQUEST_TIMEOUT: '10s',
    });
    expect(c.limits.loginFreeFailures).toBe(3);
    expect(c.limits.loginBackoffBaseMs).toBe(10_000);
    expect(c.limits.loginBackoffMaxMs).toBe(900_000);
    expect(c.limits.loginFailureWindowMs).toBe(43_200_000);
    expect(c.limits.loginAccount).toEqual({ points: 50, windowMs: 1_800_000 });
    expect(c.limits.loginIp).toEqual({ points: 200, windowMs: 7_200_000 });
    expect(c.limits.trustedAddressTtlMs).toBe(7 * 86_400_000);
    expect(c.limits.registerIp).toEqual({ points: 5, windowMs: 86_400_000 });
    expect(c.limits.refreshIp).toEqual({ points: 60, windowMs: 60_000 });
    expect(c.auditRetentionMs).toBe(30 * 86_400_000);
    expect(c.requestTimeoutMs).toBe(10_000);
  });

  it.each([
    ['LOGIN_FREE_FAILURES', '0', /LOGIN_FREE_FAILURES: invalid value; accepts a whole number of at least 1/],
    ['REGISTER_IP_LIMIT', 'lots', /REGISTER_IP_LIMIT: invalid value; accepts a whole number/],
    ['LOGIN_ACCOUNT_WINDOW', 'an hour', /LOGIN_ACCOUNT_WINDOW: invalid value; accepts a duration such as/],
    ['AUDIT_RETENTION', '0', /AUDIT_RETENTION: invalid value; accepts a duration of at least 1s/],
  ])('refuses %s=%j with one line naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});

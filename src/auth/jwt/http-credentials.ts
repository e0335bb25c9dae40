import type { CookieOptions, Request, Response } from 'express';
import type { Config } from '../../config.js';
import { unauthenticated } from '../../errors.js';
import type { IssuedCredentials } from '../strategy.js';

export const ACCESS_COOKIE = 'access_token';
export const REFRESH_COOKIE = 'refresh_token';
/**
 * The refresh cookie travels only to the GraphQL endpoint: `refresh` is a GraphQL mutation, so
 * /graphql is the narrowest path a browser can scope it to (cookies cannot be scoped to one
 * operation). It is never sent to the JWKS, health or metrics routes.
 */
export const REFRESH_COOKIE_PATH = '/graphql';

/** Far beyond any token we issue; checked before the header is parsed. */
const MAX_AUTHORIZATION_CHARS = 8 * 1024;
const BEARER = /^Bearer +([^\s]+) *$/i;

const cookie = (req: Request, name: string): string | null => {
  const value = (req.cookies as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' && value !== '' ? value : null;
};

/**
 * The access token of a request: the Authorization header when present (any header that is
 * not a well-formed bearer is a failed credential, not an absent one), else in cookie delivery
 * the access cookie. Null when nothing was presented.
 */
export function readAccessToken(req: Request, config: Config): string | null {
  const header = req.headers.authorization;
  if (header !== undefined && header.trim() !== '') {
    if (header.length > MAX_AUTHORIZATION_CHARS) throw unauthenticated('INVALID');
    const match = BEARER.exec(header);
    if (!match) throw unauthenticated('INVALID');
    return match[1]!;
  }
  return config.jwt.delivery === 'cookie' ? cookie(req, ACCESS_COOKIE) : null;
}

/** The refresh token: the mutation's argument, else in cookie delivery the refresh cookie. */
export function readRefreshToken(req: Request, config: Config, argument: string | null): string | null {
  if (argument !== null) return argument;
  return config.jwt.delivery === 'cookie' ? cookie(req, REFRESH_COOKIE) : null;
}

/**
 * HttpOnly (no script can read them, so XSS cannot exfiltrate them) and SameSite=Strict (a
 * cross-site page cannot make the browser send them); Secure in production.
 */
const cookieOptions = (config: Config, path: string): CookieOptions => ({
  httpOnly: true,
  sameSite: 'strict',
  secure: config.production,
  path,
});

/**
 * Cookie delivery: sets both cookies and removes the tokens from what the response body shows.
 * Header delivery: returns the credentials unchanged.
 */
export function deliver(res: Response, config: Config, now: number, issued: IssuedCredentials): IssuedCredentials {
  if (config.jwt.delivery !== 'cookie') return issued;
  const { accessToken, refreshToken, accessTokenExpiresAt, refreshTokenExpiresAt } = issued;
  if (accessToken && accessTokenExpiresAt) {
    res.cookie(ACCESS_COOKIE, accessToken, { ...cookieOptions(config, '/'), maxAge: accessTokenExpiresAt.getTime() - now });
  }
  if (refreshToken && refreshTokenExpiresAt) {
    res.cookie(REFRESH_COOKIE, refreshToken, {
      ...cookieOptions(config, REFRESH_COOKIE_PATH),
      maxAge: refreshTokenExpiresAt.getTime() - now,
    });
  }
  return { ...issued, accessToken: undefined, refreshToken: undefined };
}

export function clearCookies(res: Response, config: Config): void {
  if (config.jwt.delivery !== 'cookie') return;
  res.clearCookie(ACCESS_COOKIE, cookieOptions(config, '/'));
  res.clearCookie(REFRESH_COOKIE, cookieOptions(config, REFRESH_COOKIE_PATH));
}

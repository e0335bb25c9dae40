import type { Request, RequestHandler } from 'express';
import session, { type CookieOptions } from 'express-session';
import type { Logger } from '../../logger.js';
import type { HashedSessionStore } from './hashed-session-store.js';
import { newSessionId } from './session-record.js';

export const COOKIE_NAME = 'sid';

/**
 * `sid` is HttpOnly (no script reads it), SameSite=Lax (not sent on cross-site subrequests or
 * POSTs, which with Apollo's CSRF prevention closes CSRF), Path=/ and Secure in production.
 * No Max-Age: the server alone decides when a session ends (idle and absolute timeouts, in the
 * store). A Max-Age would be rewritten by express-session to now + max-age on every save, so it
 * would not even state the absolute limit; a browser-session cookie at least ends on the
 * client when the browser does.
 */
export const cookieOptions = (production: boolean): CookieOptions => ({
  httpOnly: true,
  sameSite: 'lax',
  path: '/',
  secure: production,
});

export interface SessionMiddlewareOptions {
  store: HashedSessionStore;
  cookie: CookieOptions;
  /** The first signs; all verify, so a secret can rotate without logging everyone out. */
  secrets: readonly string[];
  logger: Logger;
  /** Called when the session could not be loaded (store down): the request is then unauthenticated. */
  onStoreFailure(req: Request): void;
}

/**
 * express-session, configured so that nothing is written unless a login or a throttled touch
 * asks for it, wrapped so a store outage never becomes an unhandled 500: the request goes on
 * without a session and the strategy fails closed when anything asks who the caller is.
 */
export function createSessionMiddleware(options: SessionMiddlewareOptions): RequestHandler {
  const handler = session({
    name: COOKIE_NAME,
    store: options.store,
    secret: [...options.secrets],
    genid: newSessionId,
    cookie: options.cookie,
    // Follow the app's `trust proxy` (req.secure) to decide whether a Secure cookie may be sent.
    proxy: undefined,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    unset: 'destroy',
  });

  return (req, res, next) => {
    let continued = false;
    handler(req, res, (error?: unknown) => {
      if (continued) {
        // A save or destroy that express-session ran after the response was sent failed.
        if (error) options.logger.warn({ err: { message: (error as Error).message } }, 'session store write after response failed');
        return;
      }
      continued = true;
      if (error) {
        options.onStoreFailure(req);
        // Otherwise express-session would delete the session at the end of this response
        // (unset: 'destroy' with no session loaded): a blip must not log the user out.
        detachSession(req);
      }
      next();
    });
  };
}

/**
 * Unties this request from its session so express-session neither saves nor deletes it nor
 * sets a cookie when the response ends: used once the session has been dealt with explicitly.
 */
export function detachSession(req: Request): void {
  Reflect.deleteProperty(req, 'session');
  Reflect.deleteProperty(req, 'sessionID');
}

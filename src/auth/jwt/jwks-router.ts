import { Router } from 'express';
import type { Config } from '../../config.js';
import type { KeyRing } from './key-ring.js';

export const JWKS_PATH = '/.well-known/jwks.json';

/**
 * The public keys that verify our tokens, the not-yet-active next key included (that is how
 * it is published before it signs). Clients may cache it for JWKS_MAX_AGE; the rotation
 * schedule is built on that bound. HS256 keys are secrets and never appear.
 */
export function createJwksRouter(config: Config, ring: KeyRing): Router {
  const router = Router();
  router.get(JWKS_PATH, (_req, res) => {
    if (!ring.loaded) {
      // An empty key set must not be cached for a whole JWKS period.
      res.status(503).set('cache-control', 'no-store').json({ error: 'signing keys not loaded yet' });
      return;
    }
    res.set('cache-control', `public, max-age=${Math.floor(config.jwt.jwksMaxAgeMs / 1000)}`).json({ keys: ring.jwks() });
  });
  return router;
}

import type { AuthStrategy, StrategyDeps } from './strategy.js';
import { createJwtStrategy } from './jwt/jwt-strategy.js';
import { createSessionStrategy } from './session/session-strategy.js';

/** AUTH_MODE picks one object; nothing else in the service knows which. */
export function createStrategy(deps: StrategyDeps): AuthStrategy {
  return deps.config.mode === 'jwt' ? createJwtStrategy(deps) : createSessionStrategy(deps);
}

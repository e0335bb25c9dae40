import type { Principal } from '../domain.js';
import { unauthenticated } from '../errors.js';
import type { AuthStrategy, HttpExchange } from '../auth/strategy.js';
import type { AuthService } from '../services/auth-service.js';

/** Per-request context handed to every resolver. */
export interface GraphQLContext {
  http: HttpExchange;
  auth: AuthService;
  mode: AuthStrategy['mode'];
  /** The caller, or null without a credential; throws for a presented credential that fails. */
  principal(): Promise<Principal | null>;
  /** The caller; UNAUTHENTICATED (MISSING) without a credential. */
  requirePrincipal(): Promise<Principal>;
}

export function createContext(http: HttpExchange, auth: AuthService, strategy: AuthStrategy): GraphQLContext {
  // Authentication runs at most once per request, and only when an operation asks for it:
  // `login` with a stale bearer header must still work.
  let principal: Promise<Principal | null> | undefined;
  const resolve = () => (principal ??= strategy.authenticate(http));
  return {
    http,
    auth,
    mode: strategy.mode,
    principal: resolve,
    async requirePrincipal() {
      const p = await resolve();
      if (!p) throw unauthenticated('MISSING');
      return p;
    },
  };
}

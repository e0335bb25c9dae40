import type { Request } from 'express';
import cookieParser from 'cookie-parser';
import { AppError, REUSED_MESSAGE, unauthenticated } from '../../errors.js';
import type { AuthStrategy, HttpExchange, IssuedCredentials, StrategyDeps } from '../strategy.js';
import { createAccessTokens, type AccessClaims } from './access-tokens.js';
import { bindingTag, userAgentHash } from './binding.js';
import { clearCookies, deliver, readAccessToken, readRefreshToken } from './http-credentials.js';
import { createJwksRouter } from './jwks-router.js';
import { createKeyMaintenance } from './key-maintenance.js';
import { createKeyRing } from './key-ring.js';
import { familyOwner, listFamilies, pruneFamilies, rotateRefreshToken, startFamily, type IssueAccess } from './refresh-families.js';
import { isRefreshTokenShaped } from './refresh-tokens.js';
import { createRevocationReplica } from './revocation-replica.js';
import { pruneRevocations, revocationLifetimeMs, revokeAllFamilies, revokeFamily } from './revocations.js';
import { KEY_RELOAD_INTERVAL_MS } from './signing-keys.js';

/** Long-expired logins are swept this often (a scan of RefreshFamily; no need to do it every pass). */
const FAMILY_PRUNE_INTERVAL_MS = 3_600_000;

/** The JWT strategy, plus handles for tools and tests that drive time by hand. */
export interface JwtStrategy extends AuthStrategy {
  /** Runs the periodic work now: scheduled rotation, retirement, key and revocation reloads. */
  maintain(): Promise<void>;
  /** Adds a signing key at once (it signs after the publication lead); answers its kid. */
  rotateKeys(): Promise<string>;
}

/**
 * JWT mode: short-lived access tokens verified locally (signature, then a revocation replica
 * kept in memory), and single-use refresh tokens rotating within a login's family.
 */
export function createJwtStrategy(deps: StrategyDeps): JwtStrategy {
  const { config, clock, prisma, stateStore, logger } = deps;
  const ring = createKeyRing({ config, clock, prisma, logger });
  const tokens = createAccessTokens({ config, clock, ring });
  ring.onKeysRemoved(() => tokens.clearCache());
  const replica = createRevocationReplica({ config, clock, prisma, stateStore, logger });
  const keys = createKeyMaintenance({ config, clock, prisma, stateStore, logger, ring });
  const bound = config.jwt.binding === 'user-agent';
  // The claims of the token a request presented, so revoking "this login" can denylist its jti.
  const presented = new WeakMap<Request, AccessClaims>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let lastFamilyPrune = -Infinity;

  const bindingHash = (http: HttpExchange) => (bound ? userAgentHash(http.req) : null);

  const issue =
    (http: HttpExchange): IssueAccess =>
    async ({ userId, familyId, watermark }) => {
      const hash = bindingHash(http);
      const tag = hash ? bindingTag(hash) : null;
      // A token issued in the watermark's second would be refused; its iat is moved past it.
      const watermarkMs = Math.max(watermark?.getTime() ?? 0, replica.watermarkOf(userId) ?? 0) || null;
      return tokens.sign({ userId, sessionId: familyId, watermarkMs, bindingTag: tag });
    };

  async function maintain(): Promise<void> {
    // One pass at a time: a slow database must not stack passes up.
    running ??= (async () => {
      await keys.tick();
      await replica.reload().catch((e) => logger.warn({ err: { message: (e as Error).message } }, 'revocation reload failed'));
      await pruneRevocations(prisma, clock.now()).catch(() => {});
      if (performance.now() - lastFamilyPrune >= FAMILY_PRUNE_INTERVAL_MS) {
        lastFamilyPrune = performance.now();
        await pruneFamilies(prisma, clock.now()).catch(() => {});
      }
    })().finally(() => (running = undefined));
    return running;
  }

  return {
    mode: 'JWT',
    middleware: config.jwt.delivery === 'cookie' ? [cookieParser()] : [],
    router: createJwksRouter(config, ring),

    async start() {
      await keys.start();
      await replica.start();
      timer = setInterval(() => void maintain(), KEY_RELOAD_INTERVAL_MS).unref();
    },

    async stop() {
      clearInterval(timer);
      await Promise.allSettled([keys.stop(), replica.stop()]);
    },

    async authenticate(http) {
      const token = readAccessToken(http.req, config);
      if (token === null) return null;
      const claims = await tokens.verify(token);
      if (bound && claims.uah !== bindingTag(userAgentHash(http.req))) throw unauthenticated('INVALID');
      replica.check(claims);
      presented.set(http.req, claims);
      return { userId: claims.sub, sessionId: claims.sid };
    },

    async startLogin(http, user) {
      const now = clock.now();
      const login = { userId: user.id, now, refreshTtlMs: config.jwt.refreshTtlMs, client: http.client, bindingHash: bindingHash(http) };
      return deliver(http.res, config, now, await startFamily(prisma, login, issue(http)));
    },

    async refresh(http, argument) {
      const token = readRefreshToken(http.req, config, argument);
      if (token === null) throw unauthenticated('MISSING');
      if (!isRefreshTokenShaped(token)) throw unauthenticated('INVALID');
      const now = clock.now();
      const outcome = await rotateRefreshToken(
        prisma,
        { token, now, reuseGraceMs: config.jwt.reuseGraceMs, bindingHash: bindingHash(http), revocationExpiresAt: new Date(now + revocationLifetimeMs(config)) },
        issue(http),
      );
      if (outcome.kind === 'reused') {
        logger.warn({ userId: outcome.userId, sessionId: outcome.familyId }, 'refresh token reused; login revoked');
        await replica.publish([{ kind: 'deny', id: `sid:${outcome.familyId}`, until: now + revocationLifetimeMs(config) }]);
        // The cause (never sent to the client) lets the audit trail show the owner the theft.
        throw new AppError('UNAUTHENTICATED', REUSED_MESSAGE, {
          reason: 'REUSED',
          cause: { userId: outcome.userId, sessionId: outcome.familyId },
        });
      }
      const credentials: IssuedCredentials = deliver(http.res, config, now, outcome.credentials);
      return { userId: outcome.userId, credentials };
    },

    listSessions: (userId, current) => listFamilies(prisma, userId, current, clock.now()),
    sessionOwner: (sessionId) => familyOwner(prisma, sessionId, clock.now()),

    async revoke(http, userId, target) {
      const now = clock.now();
      const claims = presented.get(http.req);
      const revoked =
        target.kind === 'all'
          ? await revokeAllFamilies(prisma, { userId, now })
          : await revokeFamily(prisma, config, {
              userId,
              familyId: target.sessionId,
              jti: claims?.sid === target.sessionId ? claims.jti : null,
              now,
            });
      await replica.publish(revoked.notices);
      return revoked.count;
    },

    clearClient: (http) => clearCookies(http.res, config),

    async readiness() {
      return ring.loaded ? replica.readiness() : 'signing keys not loaded';
    },

    maintain,
    rotateKeys: () => keys.rotateNow(),
  };
}

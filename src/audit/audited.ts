import { limitOf } from '../abuse/reservations.js';
import type { HttpExchange } from '../auth/strategy.js';
import { AppError } from '../errors.js';
import type { AuditLog, AuthEventInput, AuthEventType } from './audit-log.js';

/** What a use case learns as it runs (who, which login), for its audit event. */
export interface Trace {
  userId?: string | null;
  sessionId?: string | null;
}

export type Audited = <T>(type: AuthEventType, http: HttpExchange, run: (trace: Trace) => Promise<T>) => Promise<T>;

/**
 * Runs a use case and records one audit event for it, whatever happens: success, an AppError
 * (its reason or code), a refusal by a rate limit (`rate_limited`, naming the operation and the
 * limit), a rotated refresh token presented again (`reuse_detected`), or an unexpected error.
 */
export function createAudited(audit: AuditLog): Audited {
  return async (type, http, run) => {
    const trace: Trace = {};
    const where = { ip: http.client.ip, userAgent: http.client.userAgent };
    try {
      const value = await run(trace);
      audit.record({ type, outcome: 'success', ...trace, ...where });
      return value;
    } catch (error) {
      audit.record({ ...failure(type, error), outcome: 'failure', ...causeTrace(error), ...trace, ...where });
      throw error;
    }
  };
}

/**
 * A strategy that knows whose login failed (a reused refresh token names its family and user)
 * may say so in the AppError's `cause`, which is never sent to the client.
 */
function causeTrace(error: unknown): Trace {
  const cause = error instanceof AppError ? (error.cause as Trace | undefined) : undefined;
  if (!cause || typeof cause !== 'object') return {};
  const pick = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return Object.fromEntries(Object.entries({ userId: pick(cause.userId), sessionId: pick(cause.sessionId) }).filter(([, v]) => v));
}

function failure(type: AuthEventType, error: unknown): Pick<AuthEventInput, 'type' | 'reason'> {
  if (!(error instanceof AppError)) return { type, reason: 'INTERNAL_SERVER_ERROR' };
  if (error.code === 'RATE_LIMITED') return { type: 'rate_limited', reason: `${type}:${limitOf(error) ?? 'limit'}` };
  if (type === 'refresh' && error.reason === 'REUSED') return { type: 'reuse_detected', reason: 'REUSED' };
  return { type, reason: error.reason ?? error.code };
}

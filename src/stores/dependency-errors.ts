import { AppError, dependencyUnavailable } from '../errors.js';
import { Prisma } from '../generated/prisma/client.js';
import { StateStoreUnavailableError } from './state-store.js';

/** Prisma's codes for "could not reach / lost / timed out waiting for the database". */
const PRISMA_CONNECTIVITY = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', '57P01', '57P03']);

function isDatabaseUnreachable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  if (error instanceof Prisma.PrismaClientInitializationError) return true;
  if (error instanceof Prisma.PrismaClientKnownRequestError && PRISMA_CONNECTIVITY.has(error.code)) return true;
  const e = error as { code?: unknown; message?: unknown; cause?: unknown; name?: unknown };
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  if (typeof e.message === 'string' && /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|DatabaseNotReachable/i.test(e.message)) {
    return true;
  }
  return isDatabaseUnreachable(e.cause, depth + 1);
}

/**
 * Recognises a dependency outage under any error, so it reaches the client as a retryable 503
 * ("service temporarily unavailable") rather than a masked internal error.
 */
export function toDependencyError(error: unknown): AppError | null {
  if (error instanceof AppError) return null;
  if (error instanceof StateStoreUnavailableError) return dependencyUnavailable('state store', error);
  if (isDatabaseUnreachable(error)) return dependencyUnavailable('database', error);
  return null;
}

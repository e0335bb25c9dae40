/** The contract's error codes: the only values `extensions.code` ever takes. */
export type ErrorCode = 'UNAUTHENTICATED' | 'BAD_USER_INPUT' | 'FORBIDDEN' | 'RATE_LIMITED' | 'INTERNAL_SERVER_ERROR';

/** Why an UNAUTHENTICATED error was raised (`extensions.reason`). */
export type AuthFailureReason = 'MISSING' | 'INVALID' | 'EXPIRED' | 'REVOKED' | 'REUSED' | 'BAD_CREDENTIALS';

export interface AppErrorOptions {
  reason?: AuthFailureReason;
  retryAfter?: number;
  /** Extra public fields for `extensions` (never secrets). */
  extensions?: Record<string, unknown>;
  /** HTTP status for the GraphQL response when this error is the only one. */
  httpStatus?: number;
  cause?: unknown;
}

/**
 * The one error type the service throws on purpose. Its message is shown to clients, so it
 * must never contain a secret; library errors are translated into it where the library is used.
 */
export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly reason: AuthFailureReason | undefined;
  readonly retryAfter: number | undefined;
  readonly extensions: Record<string, unknown>;
  readonly httpStatus: number | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.reason = options.reason;
    this.retryAfter = options.retryAfter;
    this.extensions = options.extensions ?? {};
    this.httpStatus = options.httpStatus;
  }
}

export const REUSED_MESSAGE = 'Refresh token was already used; this login has been ended';

const REASON_MESSAGES: Record<AuthFailureReason, string> = {
  MISSING: 'Authentication required',
  INVALID: 'Invalid credentials',
  EXPIRED: 'Credentials have expired',
  REVOKED: 'Credentials have been revoked',
  REUSED: REUSED_MESSAGE,
  BAD_CREDENTIALS: 'Wrong email or password',
};

export const unauthenticated = (reason: AuthFailureReason, message = REASON_MESSAGES[reason]): AppError =>
  new AppError('UNAUTHENTICATED', message, { reason });

export const badInput = (message: string, field?: string): AppError =>
  new AppError('BAD_USER_INPUT', message, field ? { extensions: { field } } : {});

export const forbidden = (message: string): AppError => new AppError('FORBIDDEN', message);

export const rateLimited = (retryAfterSeconds: number): AppError =>
  new AppError('RATE_LIMITED', 'Too many attempts; try again later', {
    retryAfter: Math.max(1, Math.ceil(retryAfterSeconds)),
  });

/**
 * A dependency the service needs to decide who the caller is (database, state store) did not
 * answer in time. Authentication fails closed: the request is refused, never let through.
 */
export const dependencyUnavailable = (dependency: 'database' | 'state store', cause?: unknown): AppError =>
  new AppError('INTERNAL_SERVER_ERROR', `Service temporarily unavailable: the ${dependency} is not answering`, {
    extensions: { dependency, retryable: true },
    httpStatus: 503,
    cause,
  });

import { pino, type Logger } from 'pino';

/**
 * Structured JSON logs. Credentials never reach them: headers that carry them are censored
 * wherever they appear, and the code logs ids and outcomes, never tokens or passwords.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.refreshToken',
  '*.accessToken',
  '*.passwordHash',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'identity' } },
    destination as never,
  );
}

export type { Logger };

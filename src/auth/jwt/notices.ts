import type { Notice } from './revocation-replica.js';

const MAX_NOTICES = 1_000;

function isNotice(value: unknown): value is Notice {
  if (!value || typeof value !== 'object') return false;
  const n = value as Record<string, unknown>;
  if (n.kind === 'deny') return typeof n.id === 'string' && n.id.length <= 200 && Number.isFinite(n.until);
  if (n.kind === 'watermark') return typeof n.userId === 'string' && n.userId.length <= 64 && Number.isFinite(n.at);
  return false;
}

/**
 * Parses a pub/sub message. Null for anything unexpected: the caller then reloads from the
 * database rather than trusting or dropping a message it does not understand.
 */
export function parseNotices(message: string): Notice[] | null {
  try {
    const body = JSON.parse(message) as { v?: unknown; notices?: unknown };
    if (body?.v !== 1 || !Array.isArray(body.notices) || body.notices.length > MAX_NOTICES) return null;
    return body.notices.every(isNotice) ? body.notices : null;
  } catch {
    return null;
  }
}

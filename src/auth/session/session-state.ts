import type { StateStore } from '../../stores/state-store.js';

/** The part of the state store that sessions use (every call already bounded by the store). */
export type SessionState = Pick<StateStore, 'get' | 'set' | 'del' | 'ttl' | 'sAdd' | 'sRem' | 'sMembers' | 'incr'>;

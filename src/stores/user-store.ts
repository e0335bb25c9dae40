import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { UserProfile, UserRecord } from '../domain.js';
import { badInput } from '../errors.js';
import { Prisma, type PrismaClient } from '../generated/prisma/client.js';

/** The user accounts, shared by both AUTH_MODEs. Emails arrive already normalised. */
export interface UserStore {
  /** Creates a user; BAD_USER_INPUT when the email is taken. */
  create(input: { email: string; passwordHash: string; now: Date }): Promise<UserRecord>;
  findByEmail(email: string): Promise<UserRecord | null>;
  findById(id: string): Promise<UserRecord | null>;
  /**
   * What `me` shows. Served from a per-instance cache: id, email and createdAt never change
   * once a user exists (no operation edits them), so no instance can serve a stale profile.
   * Anything that ever changes them must evict the entry (and tell the other instances).
   */
  findProfile(id: string): Promise<UserProfile | null>;
  /** Replaces the hash; `changedAt` marks a password change (not a parameter upgrade). */
  updatePasswordHash(id: string, passwordHash: string, changedAt?: Date): Promise<void>;
}

const select = { id: true, email: true, passwordHash: true, passwordChangedAt: true, createdAt: true } as const;

const isUniqueViolation = (error: unknown): boolean =>
  error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Enough for the active users of a large deployment; a profile is ~200 bytes. */
const PROFILE_CACHE_SIZE = 50_000;

export function createUserStore(prisma: PrismaClient): UserStore {
  const profiles = new LRUCache<string, UserProfile>({ max: PROFILE_CACHE_SIZE });
  const findById = async (id: string) => (UUID.test(id) ? prisma.user.findUnique({ where: { id }, select }) : null);
  return {
    async create({ email, passwordHash, now }) {
      try {
        return await prisma.user.create({
          data: { id: randomUUID(), email, passwordHash, passwordChangedAt: now, createdAt: now },
          select,
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw badInput('Email is already registered', 'email');
        throw error;
      }
    },
    findByEmail: (email) => prisma.user.findUnique({ where: { email }, select }),
    // Ids are UUIDs; anything else cannot name a user and must not reach a uuid column.
    findById,
    async findProfile(id) {
      const cached = profiles.get(id);
      if (cached) return cached;
      const user = await findById(id);
      if (!user) return null;
      const profile = { id: user.id, email: user.email, createdAt: user.createdAt };
      profiles.set(id, profile);
      return profile;
    },
    async updatePasswordHash(id, passwordHash, changedAt) {
      await prisma.user.update({
        where: { id },
        data: changedAt ? { passwordHash, passwordChangedAt: changedAt } : { passwordHash },
      });
    },
  };
}

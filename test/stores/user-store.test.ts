import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { applyMigrations } from '../../src/stores/migrations.js';
import { createUserStore, type UserStore } from '../../src/stores/user-store.js';
import type { Database } from '../../src/stores/database.js';
import { databaseKinds, freshDatabase } from '../helpers/databases.js';

/** One contract for the user store, on PGlite and on PostgreSQL. */
describe.each(databaseKinds)('user store contract: %s', (kind) => {
  let db: Database;
  let dispose: () => Promise<void>;
  let users: UserStore;
  const now = new Date('2026-12-01T10:00:00.000Z');

  beforeAll(async () => {
    ({ db, dispose } = await freshDatabase(kind));
    await applyMigrations(db);
    users = createUserStore(db.prisma);
  });
  afterAll(async () => dispose());

  it('creates a user and finds it by email and id', async () => {
    const created = await users.create({ email: 'ann@example.com', passwordHash: 'h1', now });
    expect(created).toMatchObject({ email: 'ann@example.com', passwordHash: 'h1' });
    expect(created.createdAt.toISOString()).toBe(now.toISOString());
    expect(created.passwordChangedAt.toISOString()).toBe(now.toISOString());
    expect(await users.findByEmail('ann@example.com')).toEqual(created);
    expect(await users.findById(created.id)).toEqual(created);
  });

  it('serves the public profile, without the password hash, and null for unknown ids', async () => {
    const created = await users.create({ email: 'dee@example.com', passwordHash: 'secret-hash', now });
    const profile = { id: created.id, email: 'dee@example.com', createdAt: created.createdAt };
    expect(await users.findProfile(created.id)).toEqual(profile);
    expect(await users.findProfile(created.id)).toEqual(profile); // from the cache
    expect(await users.findProfile('00000000-0000-4000-8000-000000000000')).toBeNull();
    expect(await users.findProfile('not-a-uuid')).toBeNull();
  });

  it('answers null for unknown emails and ids, including ids that are not uuids', async () => {
    expect(await users.findByEmail('nobody@example.com')).toBeNull();
    expect(await users.findById('00000000-0000-4000-8000-000000000000')).toBeNull();
    expect(await users.findById("' OR 1=1 --")).toBeNull();
  });

  it('refuses a second account for the same email with BAD_USER_INPUT and writes nothing', async () => {
    await users.create({ email: 'bob@example.com', passwordHash: 'h', now });
    const error = await users.create({ email: 'bob@example.com', passwordHash: 'other', now }).catch((e) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('BAD_USER_INPUT');
    expect(await db.prisma.user.count({ where: { email: 'bob@example.com' } })).toBe(1);
    expect((await users.findByEmail('bob@example.com'))!.passwordHash).toBe('h');
  });

  it('updates the hash, and the change time only for a password change', async () => {
    const user = await users.create({ email: 'cy@example.com', passwordHash: 'old', now });
    await users.updatePasswordHash(user.id, 'rehashed');
    let stored = await users.findById(user.id);
    expect(stored!.passwordHash).toBe('rehashed');
    expect(stored!.passwordChangedAt.toISOString()).toBe(now.toISOString());
    const later = new Date('2026-12-02T10:00:00.000Z');
    await users.updatePasswordHash(user.id, 'new', later);
    stored = await users.findById(user.id);
    expect(stored!.passwordHash).toBe('new');
    expect(stored!.passwordChangedAt.toISOString()).toBe(later.toISOString());
  });
});

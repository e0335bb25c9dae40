import { describe, expect, it } from 'vitest';
import { createAuditLog, type AuthEventInput } from '../../src/audit/audit-log.js';
import { createLogger } from '../../src/logger.js';
import type { PrismaClient } from '../../src/generated/prisma/client.js';
import { TestClock } from '../helpers/app.js';

/** A Prisma stand-in that records each createMany batch and can be made to fail. */
function fakePrisma() {
  const batches: unknown[][] = [];
  const state = { failing: false, deleted: [] as Date[] };
  const prisma = {
    authEvent: {
      createMany: async ({ data }: { data: unknown[] }) => {
        if (state.failing) throw new Error('database down');
        batches.push(data);
        return { count: data.length };
      },
      deleteMany: async ({ where }: { where: { createdAt: { lt: Date } } }) => {
        state.deleted.push(where.createdAt.lt);
        return { count: 3 };
      },
    },
  } as unknown as PrismaClient;
  return { prisma, batches, state };
}

const event: AuthEventInput = { type: 'login', outcome: 'failure', reason: 'BAD_CREDENTIALS', ip: '203.0.113.1', userAgent: 'ua' };
const silent = createLogger('silent');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('audit log batching', () => {
  it('writes events in batches of at most 100, off the request path', async () => {
    const { prisma, batches } = fakePrisma();
    const counted: string[] = [];
    const audit = createAuditLog({ prisma, clock: new TestClock(), logger: silent, retentionMs: 86_400_000, onEvent: (e) => counted.push(e.type) });
    for (let i = 0; i < 250; i++) audit.record(event);
    expect(counted).toHaveLength(250);
    await audit.flush();
    expect(batches.map((b) => b.length)).toEqual([100, 100, 50]);
  });

  it('writes a lone event within about 100 ms without a flush', async () => {
    const { prisma, batches } = fakePrisma();
    const audit = createAuditLog({ prisma, clock: new TestClock(), logger: silent, retentionMs: 86_400_000 });
    audit.record(event);
    expect(batches).toHaveLength(0);
    await sleep(250);
    expect(batches).toHaveLength(1);
    await audit.stop();
  });

  it('keeps events while the database is down and writes them when it is back; stop flushes', async () => {
    const { prisma, batches, state } = fakePrisma();
    const audit = createAuditLog({ prisma, clock: new TestClock(), logger: silent, retentionMs: 86_400_000 });
    state.failing = true;
    audit.record(event);
    await audit.flush();
    expect(batches).toHaveLength(0);
    state.failing = false;
    audit.record({ ...event, type: 'logout', outcome: 'success' });
    await audit.stop();
    expect(batches.flat()).toHaveLength(2);
  });

  it('orders events of one process strictly, even under a frozen clock', async () => {
    const { prisma, batches } = fakePrisma();
    const audit = createAuditLog({ prisma, clock: new TestClock(1_000_000), logger: silent, retentionMs: 86_400_000 });
    for (let i = 0; i < 3; i++) audit.record(event);
    await audit.flush();
    const times = (batches[0] as Array<{ createdAt: Date }>).map((e) => e.createdAt.getTime());
    expect(times).toEqual([1_000_000, 1_000_001, 1_000_002]);
  });

  it('prunes events older than the retention', async () => {
    const { prisma, state } = fakePrisma();
    const clock = new TestClock(Date.UTC(2026, 11, 4));
    const audit = createAuditLog({ prisma, clock, logger: silent, retentionMs: 90 * 86_400_000 });
    expect(await audit.prune()).toBe(3);
    expect(state.deleted[0]).toEqual(new Date(Date.UTC(2026, 11, 4) - 90 * 86_400_000));
  });
});

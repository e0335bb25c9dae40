import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';

export interface RedisCommandCounts {
  /** Commands executed for the app (MULTI/EXEC not counted). */
  commands: number;
  /** Network round trips: a MULTI…EXEC block counts once. */
  roundTrips: number;
  byCommand: Record<string, number>;
  /** Round trips by the first name segment of the key they touch (`sess`, `rl`…). */
  byKeyKind: Record<string, number>;
}

interface Line {
  addr: string;
  command: string;
  args: string;
}

const LINE = /^[\d.]+ \[\d+ ([^\]]+)\] "([^"]+)"(.*)$/;

/**
 * Counts the Redis commands the app's own connections send, from MONITOR. The shared server
 * may serve other clients meanwhile, so commands are attributed by connection: a connection is
 * the app's once it has touched a key or channel under the run's unique prefix. This also
 * catches connect-redis, which talks to the raw client and bypasses the StateStore interface.
 */
export async function startRedisMonitor(url: string, prefix: string) {
  const monitor = createClient({ url });
  const probe = createClient({ url });
  for (const c of [monitor, probe]) c.on('error', () => {});
  await Promise.all([monitor.connect(), probe.connect()]);
  const lines: Line[] = [];
  const ours = new Set<string>();
  const waiters = new Map<string, () => void>();
  await monitor.monitor((raw) => {
    const m = LINE.exec(String(raw));
    if (!m) return;
    const line = { addr: m[1]!, command: m[2]!.toUpperCase(), args: m[3]! };
    const sentinel = [...waiters.keys()].find((s) => line.args.includes(s));
    if (sentinel) return waiters.get(sentinel)!();
    if (line.args.includes(`"${prefix}`)) ours.add(line.addr);
    lines.push(line);
  });

  /** Resolves once MONITOR has shown everything sent before this call. */
  async function flush(): Promise<void> {
    const sentinel = `__compare_sentinel_${randomBytes(6).toString('hex')}`;
    const seen = new Promise<void>((resolve) => waiters.set(sentinel, resolve));
    await probe.get(sentinel);
    await Promise.race([seen, new Promise((r) => setTimeout(r, 2_000))]);
    waiters.delete(sentinel);
  }

  return {
    /** A position in the stream, after everything sent so far. */
    async mark(): Promise<number> {
      await flush();
      return lines.length;
    },
    /** Commands of the app's connections since `from`. */
    async countSince(from: number): Promise<RedisCommandCounts> {
      await flush();
      return countLines(lines.slice(from).filter((l) => ours.has(l.addr)), prefix);
    },
    async stop(): Promise<void> {
      await Promise.allSettled([monitor.close(), probe.close()]);
    },
  };
}

function keyKind(args: string, prefix: string): string {
  const at = args.indexOf(`"${prefix}`);
  return args.slice(at + 1 + prefix.length).split(/[:"]/)[0] || '?';
}

/**
 * Only commands naming a key or channel under the run's prefix count: a connection port can
 * be reused by another client after a reconnect, so the address alone is not proof. A
 * MULTI…EXEC block counts as one round trip when a command in it is ours.
 */
function countLines(lines: Line[], prefix: string): RedisCommandCounts {
  const byCommand: Record<string, number> = {};
  const byKeyKind: Record<string, number> = {};
  const block = new Map<string, boolean>(); // addr → inside MULTI; true once its round trip is counted
  let commands = 0;
  let roundTrips = 0;
  for (const { addr, command, args } of lines) {
    if (command === 'MULTI') block.set(addr, false);
    else if (command === 'EXEC' || command === 'DISCARD') block.delete(addr);
    else if (args.includes(`"${prefix}`)) {
      byCommand[command] = (byCommand[command] ?? 0) + 1;
      commands++;
      if (block.get(addr) === true) continue;
      if (block.has(addr)) block.set(addr, true);
      roundTrips++;
      const kind = keyKind(args, prefix);
      byKeyKind[kind] = (byKeyKind[kind] ?? 0) + 1;
    }
  }
  return { commands, roundTrips, byCommand, byKeyKind };
}

export type RedisMonitor = Awaited<ReturnType<typeof startRedisMonitor>>;

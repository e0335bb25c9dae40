import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

const children = new Set<ChildProcess>();

/** Kills every redis-server this process started (also on exit, in case of a crash). */
export function killPrivateRedis(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}
process.on('exit', killPrivateRedis);

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  /** SIGKILL, as a crash: no chance to save or say goodbye. */
  kill(): Promise<void>;
  /** Starts again on the same port (empty: nothing is persisted). */
  restart(): Promise<void>;
}

/**
 * A redis-server of our own on a free loopback port, for the outage measurement: the shared
 * server is never touched. Nothing is persisted (`--save ''`, no AOF).
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    children.add(child);
    const started = Date.now();
    while (!(await canConnect(port))) {
      if (child.exitCode !== null || Date.now() - started > 10_000) throw new Error('private redis-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async kill() {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      children.delete(child);
    },
    restart: launch,
  };
}

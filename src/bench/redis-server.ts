import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/**
 * Private redis-servers for the outage measurement (npm run compare) and the outage tests: each
 * on a free loopback port of its own, so the shared server is never touched.
 */

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

/** SIGKILL, as a crash: no chance to save or say goodbye. Resolves once the process has exited. */
async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }
  children.delete(child);
}

export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  /** SIGKILL, as a crash, and waits for the exit. Idempotent: call it in afterAll / finally. */
  kill(): Promise<void>;
  /**
   * Starts again on the same port (empty: nothing is persisted). Idempotent: while a server is
   * running it does nothing, since a second one could not bind and the first would be leaked.
   */
  restart(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open, nothing answers. */
  pause(): void;
  /** Thaws a paused server (SIGCONT). */
  resume(): void;
}

/** A redis-server of our own on a free loopback port. Nothing is persisted (`--save ''`, no AOF). */
export async function startPrivateRedis(timeoutMs = 10_000): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  const restart = async () => {
    if (running()) return;
    const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    child = c;
    children.add(c);
    c.once('exit', () => children.delete(c));
    let spawnError: Error | undefined;
    c.once('error', (e) => (spawnError = e));
    const started = Date.now();
    while (!(await canConnect(port))) {
      if (spawnError || c.exitCode !== null || c.signalCode !== null || Date.now() - started > timeoutMs) {
        if (!spawnError) await killChild(c);
        children.delete(c);
        throw new Error(`private redis-server did not listen on ${port} within ${timeoutMs} ms`, { cause: spawnError });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const kill = async () => {
    const c = child;
    child = undefined;
    if (c) await killChild(c);
  };

  await restart();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    restart,
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
  };
}

import net from 'node:net';

/**
 * A loopback TCP proxy for outages of one app or client without touching the shared server. It
 * can be switched off and on (`stop` / `start`: connections refused, open ones cut) or paused
 * (`pause` / `resume`: connections stay open but nothing is relayed, a server that accepts but
 * never answers, the worst kind of outage for a client without deadlines).
 */
export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1') {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  let paused = false;

  const relay = (from: net.Socket, to: net.Socket) => {
    // While paused, data is swallowed: the other side waits for bytes that never come.
    from.on('data', (chunk) => paused || to.write(chunk));
    from.on('end', () => to.end());
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = net.createServer((client) => {
        const upstream = net.connect(targetPort, targetHost);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        relay(client, upstream);
        relay(upstream, client);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });

  await listen();
  return {
    get port() {
      return port;
    },
    /** Refuses new connections and cuts the open ones. Call it at the end, too. */
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = undefined;
    },
    /** Listens again on the same port. */
    start: listen,
    /** Stops relaying while keeping connections open. */
    pause: () => void (paused = true),
    resume: () => void (paused = false),
  };
}

import net from 'node:net';

/**
 * A loopback TCP proxy that can stop relaying while keeping connections open: a server that
 * accepts but never answers, the worst kind of outage for a client without deadlines.
 */
export async function startPausableProxy(targetPort: number, targetHost = '127.0.0.1') {
  const sockets = new Set<net.Socket>();
  let paused = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    // While paused, requests are swallowed: the client waits for replies that never come.
    client.on('data', (chunk) => paused || upstream.write(chunk));
    upstream.on('data', (chunk) => paused || client.write(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    pause: () => void (paused = true),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

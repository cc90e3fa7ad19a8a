import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';

import { PortForward, PortForwardError } from '../../src/portforward/index.js';

const HOST = '127.0.0.1';

/** Things to close after each test. */
let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

/** A server on an ephemeral port; `handle` gets each socket. */
async function serve(handle: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    handle(s);
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no address');
  return { server, port: addr.port };
}

/** Reads everything a socket sends, then answers `tag` + what it read, then ends. */
function replyAfterEnd(tag: string): (s: Socket) => void {
  return (s) => {
    const chunks: Buffer[] = [];
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('end', () => s.end(`${tag}${Buffer.concat(chunks).toString()}`));
  };
}

/** A port nothing listens on (it was free a moment ago). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const addr = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (addr === null || typeof addr === 'string') throw new Error('no address');
  return addr.port;
}

async function hasIPv6(): Promise<boolean> {
  const server = createServer();
  const ok = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(0, '::1', () => resolve(true));
  });
  if (ok) await new Promise<void>((resolve) => server.close(() => resolve()));
  return ok;
}

/** Dials host:port, resolving once connected, as a pod dialer would. */
function dialer(port: () => number): () => Promise<Duplex> {
  return () =>
    new Promise((resolve, reject) => {
      const s = netConnect(port(), HOST);
      s.once('error', reject);
      s.once('connect', () => {
        s.off('error', reject);
        resolve(s);
      });
    });
}

interface Exchange {
  data: string;
  error?: string;
}

/** Connects to the forward, sends `send` (then EOF unless keepOpen), collects the reply until close. */
function exchange(port: number, send = '', keepOpen = false, host = HOST): Promise<Exchange> {
  return new Promise((resolve) => {
    const s = netConnect(port, host);
    const chunks: Buffer[] = [];
    let error: string | undefined;
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    s.on('close', () => resolve({ data: Buffer.concat(chunks).toString(), error }));
    s.on('connect', () => {
      if (send) s.write(send);
      if (!keepOpen) s.end();
    });
  });
}

async function forward(
  connect: () => Promise<Duplex>,
  extra: { host?: string; localPort?: number } = {},
): Promise<{ pf: PortForward; logs: string[] }> {
  const logs: string[] = [];
  const pf = new PortForward({
    resource: 'app',
    host: extra.host,
    localPort: extra.localPort ?? 0,
    containerPort: 8000,
    connect,
    log: (line, level) => logs.push(`${level ?? 'INFO'} ${line}`),
  });
  await pf.start();
  cleanups.push(() => pf.stop());
  return { pf, logs };
}

describe('PortForward', () => {
  it('round-trips data, with a reply sent after the client half-closes', async () => {
    const pod = await serve(replyAfterEnd('pod:'));
    const { pf, logs } = await forward(dialer(() => pod.port));
    expect(pf.status).toBe('listening');
    expect(pf.port).toBeGreaterThan(0);

    const big = 'x'.repeat(1 << 20);
    expect(await exchange(pf.port, 'hello')).toEqual({ data: 'pod:hello', error: undefined });
    expect((await exchange(pf.port, big)).data).toBe(`pod:${big}`);
    expect(logs).toEqual([]);
  });

  it('dials the current pod for each connection, so it survives pod replacement', async () => {
    const podA = await serve(replyAfterEnd('A:'));
    const podB = await serve(replyAfterEnd('B:'));
    let current = podA.port;
    const { pf } = await forward(dialer(() => current));

    expect((await exchange(pf.port, '1')).data).toBe('A:1');
    current = podB.port;
    expect((await exchange(pf.port, '2')).data).toBe('B:2');
  });

  it('closes the client at once and logs one line when nothing listens in the pod', async () => {
    const dead = await freePort();
    const { pf, logs } = await forward(dialer(() => dead));

    const first = await exchange(pf.port, 'hi', true);
    expect(first.data).toBe('');
    await exchange(pf.port, 'again', true);
    await Promise.all([exchange(pf.port), exchange(pf.port)]);

    expect(logs).toEqual([
      `WARN Reconnecting... Error port-forwarding app (${pf.port} -> 8000): ` +
        `connect ECONNREFUSED ${HOST}:${dead}`,
    ]);
    expect(pf.status).toBe('listening');
  });

  it('treats a dialer that hands over a still-connecting socket the same way', async () => {
    const dead = await freePort();
    const { pf, logs } = await forward(async () => netConnect(dead, HOST));
    expect((await exchange(pf.port, 'hi', true)).data).toBe('');
    expect((await exchange(pf.port, 'hi', true)).data).toBe('');
    expect(logs).toEqual([
      `WARN Reconnecting... Error port-forwarding app (${pf.port} -> 8000): ` +
        `connect ECONNREFUSED ${HOST}:${dead}`,
    ]);
  });

  it('logs a failure again only once it changed or a connection succeeded', async () => {
    const pod = await serve(replyAfterEnd(''));
    let failure: string | undefined = 'no running pod for app';
    const dial = dialer(() => pod.port);
    const { pf, logs } = await forward(() =>
      failure === undefined ? dial() : Promise.reject(new Error(failure)),
    );
    const prefix = `WARN Reconnecting... Error port-forwarding app (${pf.port} -> 8000): `;

    await exchange(pf.port);
    await exchange(pf.port);
    failure = 'pod app-1 is not running';
    await exchange(pf.port);
    await exchange(pf.port);
    failure = undefined;
    expect((await exchange(pf.port, 'ok')).data).toBe('ok');
    failure = 'pod app-1 is not running';
    await exchange(pf.port);

    expect(logs).toEqual([
      `${prefix}no running pod for app`,
      `${prefix}pod app-1 is not running`,
      `${prefix}pod app-1 is not running`,
    ]);
  });

  it('survives a connect that throws instead of rejecting', async () => {
    const { pf, logs } = await forward(() => {
      throw new Error('no cluster');
    });
    expect(await exchange(pf.port, 'x', true)).toMatchObject({ data: '' });
    expect(logs).toEqual([
      `WARN Reconnecting... Error port-forwarding app (${pf.port} -> 8000): no cluster`,
    ]);
  });

  it('rejects with a PortForwardError when the local port is in use', async () => {
    const taken = await serve(() => {});
    const pf = new PortForward({
      resource: 'app',
      localPort: taken.port,
      containerPort: 8000,
      connect: dialer(() => taken.port),
      log: () => {},
    });
    const err = await pf.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PortForwardError);
    expect((err as PortForwardError).code).toBe('EADDRINUSE');
    expect((err as PortForwardError).message).toBe(
      `port-forward 127.0.0.1:${taken.port}: port ${taken.port} is already in use: ` +
        `stop whatever uses it or choose another local port in port_forwards`,
    );
    expect(pf.status).toBe('error');
    await pf.stop();
    expect(pf.status).toBe('stopped');
  });

  it('reports the host as given for localhost', async () => {
    const taken = await serve(() => {});
    const pf = new PortForward({
      resource: 'app',
      host: 'localhost',
      localPort: taken.port,
      containerPort: 8000,
      connect: dialer(() => taken.port),
      log: () => {},
    });
    await expect(pf.start()).rejects.toThrow(
      `port-forward localhost:${taken.port}: port ${taken.port} is already in use`,
    );
  });

  it('listens on both loopbacks for localhost', async () => {
    const pod = await serve(replyAfterEnd('pod:'));
    const { pf } = await forward(
      dialer(() => pod.port),
      { host: 'localhost' },
    );
    expect((await exchange(pf.port, 'v4')).data).toBe('pod:v4');
    // Without IPv6, ::1 is skipped; with it, browsers that try ::1 first get through.
    if (await hasIPv6()) expect((await exchange(pf.port, 'v6', false, '::1')).data).toBe('pod:v6');
  });

  it('stop closes open connections and the listener', async () => {
    const podSide: Socket[] = [];
    const pod = await serve((s) => {
      podSide.push(s);
      s.on('data', (d: Buffer) => s.write(d)); // echo until the end
      s.on('end', () => s.end());
    });
    const { pf } = await forward(dialer(() => pod.port));
    const port = pf.port;

    const client = netConnect(port, HOST);
    client.on('error', () => {});
    const closed = new Promise<void>((resolve) => client.on('close', () => resolve()));
    const echoed = new Promise<string>((resolve) =>
      client.once('data', (d: Buffer) => resolve(d.toString())),
    );
    client.write('ping');
    expect(await echoed).toBe('ping');

    await pf.stop();
    await closed;
    expect(pf.status).toBe('stopped');
    expect(client.destroyed).toBe(true);
    await Promise.all(
      podSide.map((s) => (s.closed ? undefined : new Promise((r) => s.once('close', r)))),
    );
    expect((await exchange(port)).error).toBe('ECONNREFUSED');
  });

  it('can be started again after stop', async () => {
    const pod = await serve(replyAfterEnd('pod:'));
    const { pf } = await forward(dialer(() => pod.port));
    await pf.stop();
    await pf.start();
    expect(pf.status).toBe('listening');
    expect((await exchange(pf.port, 'again')).data).toBe('pod:again');
  });

  it('closes the client when the pod side resets, and the pod side when the client resets', async () => {
    const podSide: Socket[] = [];
    const pod = await serve((s) => {
      podSide.push(s);
      s.on('data', (d: Buffer) => {
        if (d.toString() === 'die') s.resetAndDestroy();
        else s.write(d);
      });
      s.on('end', () => s.end());
    });
    const { pf, logs } = await forward(dialer(() => pod.port));

    // The pod resets: the client is closed, and the failure logged.
    const reset = await exchange(pf.port, 'die', true);
    expect(reset.data).toBe('');
    expect(logs).toEqual([
      `WARN Reconnecting... Error port-forwarding app (${pf.port} -> 8000): read ECONNRESET`,
    ]);

    // The client resets: the pod's socket is closed; nothing is logged.
    const client = netConnect(pf.port, HOST);
    client.on('error', () => {});
    await new Promise<void>((resolve) => {
      client.write('ping');
      client.once('data', () => resolve());
    });
    const podSocket = podSide[podSide.length - 1];
    const podClosed = new Promise((r) => podSocket.once('close', r));
    client.resetAndDestroy();
    await podClosed;
    expect(logs).toHaveLength(1);
  });
});

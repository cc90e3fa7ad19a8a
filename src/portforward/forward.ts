// One port-forward of k8s_resource(port_forwards=...): a local listener whose
// connections are each piped to a fresh connection into the current pod.

import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import type { Duplex } from 'node:stream';
import { listenErrorFor } from './errors.js';
import { splice } from './splice.js';

export type PortForwardStatus = 'listening' | 'stopped' | 'error';

export type PortForwardLogLevel = 'INFO' | 'WARN' | 'ERROR';

export interface PortForwardOptions {
  /** The resource the forward belongs to, for log lines. */
  resource: string;
  /** The local address to listen on; `localhost` listens on 127.0.0.1 and ::1. */
  host?: string;
  /** 0 picks a free port (see `port` after start). */
  localPort: number;
  containerPort: number;
  /**
   * Dials containerPort of the CURRENT pod. Called once per accepted
   * connection, so the forward follows the pod when it is replaced.
   */
  connect: () => Promise<Duplex>;
  log: (line: string, level?: PortForwardLogLevel) => void;
}

export class PortForward {
  readonly resource: string;
  readonly host: string;
  readonly containerPort: number;
  private readonly requestedPort: number;
  private readonly connect: () => Promise<Duplex>;
  private readonly log: (line: string, level?: PortForwardLogLevel) => void;

  private servers: Server[] = [];
  private boundPort: number | undefined;
  private state: PortForwardStatus = 'stopped';
  /** Every socket, local and remote, so that stop() can close them. */
  private readonly sockets = new Set<Duplex>();
  /** Bumped by stop(): connects that resolve for an older run are dropped. */
  private run = 0;
  /** The failure last logged, so a dead pod does not flood the log. */
  private lastFailure: string | undefined;

  constructor(opts: PortForwardOptions) {
    this.resource = opts.resource;
    this.host = opts.host ?? '127.0.0.1';
    this.requestedPort = opts.localPort;
    this.containerPort = opts.containerPort;
    this.connect = opts.connect;
    this.log = opts.log;
  }

  get status(): PortForwardStatus {
    return this.state;
  }

  /** The local port: the one listened on once started, else the one asked for. */
  get port(): number {
    return this.boundPort ?? this.requestedPort;
  }

  /**
   * Listens on host:localPort. Rejects with a PortForwardError (port in use,
   * no permission, not a local address) and leaves nothing listening.
   */
  async start(): Promise<void> {
    if (this.state === 'listening') return;
    const run = this.run;
    let port = this.requestedPort;
    const hosts = listenHosts(this.host);
    for (const [i, host] of hosts.entries()) {
      const server = createServer({ allowHalfOpen: true }, (s) => this.accept(s));
      try {
        await listen(server, host, port);
      } catch (err) {
        // ::1 is a bonus for `localhost`: a machine without IPv6 is fine.
        if (i > 0 && isNoIPv6(err)) continue;
        await closeAll(this.servers);
        this.servers = [];
        this.boundPort = undefined;
        this.state = 'error';
        throw listenErrorFor(this.host, port, err);
      }
      if (run !== this.run) {
        // stop() came while we were listening: it wins.
        await closeAll([server]);
        return;
      }
      // With port 0, every address must share the port the first one got.
      port = (server.address() as AddressInfo).port;
      server.on('error', (err) => this.fail(err));
      this.servers.push(server);
    }
    if (run !== this.run) return;
    this.boundPort = port;
    this.state = 'listening';
  }

  /** Stops listening and closes every open connection. */
  async stop(): Promise<void> {
    this.run += 1;
    this.state = 'stopped';
    const servers = this.servers;
    this.servers = [];
    for (const s of this.sockets) s.destroy();
    await closeAll(servers);
  }

  private accept(client: Socket): void {
    if (this.state !== 'listening') {
      client.destroy();
      return;
    }
    const run = this.run;
    this.track(client);
    // Until the pod answers, an error (a reset) just closes the client.
    client.on('error', () => {});
    dial(this.connect).then(
      (remote) => {
        if (run !== this.run || client.destroyed || remote.destroyed) {
          remote.destroy();
          client.destroy();
          return;
        }
        this.track(remote);
        succeeded(remote, () => {
          this.lastFailure = undefined;
        });
        void splice(client, remote, (side, err) => {
          // A client hanging up is ordinary; the pod's side failing is news.
          if (side === 'b' && run === this.run) this.reportFailure(err);
        });
      },
      (err: unknown) => {
        if (run === this.run) this.reportFailure(err);
        // Close promptly: a client left hanging would wait for a timeout.
        client.destroy();
      },
    );
  }

  private track(s: Duplex): void {
    this.sockets.add(s);
    s.once('close', () => this.sockets.delete(s));
  }

  /** Logs a failure once, until it changes or a connection succeeds. */
  private reportFailure(err: unknown): void {
    const reason = err instanceof Error ? err.message : String(err);
    if (reason === this.lastFailure) return;
    this.lastFailure = reason;
    this.log(
      `Reconnecting... Error port-forwarding ${this.resource} ` +
        `(${this.port} -> ${this.containerPort}): ${reason}`,
      'WARN',
    );
  }

  /** The listener itself failed after it was up. */
  private fail(err: Error): void {
    if (this.state !== 'listening') return;
    this.state = 'error';
    this.log(`${listenErrorFor(this.host, this.port, err).message}`, 'ERROR');
  }
}

/** The addresses to listen on for a host: `localhost` means both loopbacks, as kubectl does. */
function listenHosts(host: string): string[] {
  return host === 'localhost' ? ['127.0.0.1', '::1'] : [host];
}

function isNoIPv6(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT';
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port });
  });
}

function closeAll(servers: Server[]): Promise<void> {
  return Promise.all(
    servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
  ).then(() => undefined);
}

/** connect(), with a synchronous throw turned into a rejection. */
async function dial(connect: () => Promise<Duplex>): Promise<Duplex> {
  return connect();
}

/**
 * Calls `then` once `remote` is known to reach the pod: at once, or, for a
 * socket handed over while still connecting, once it connects.
 */
function succeeded(remote: Duplex, then: () => void): void {
  if (remote instanceof Socket && remote.connecting) remote.once('connect', then);
  else then();
}

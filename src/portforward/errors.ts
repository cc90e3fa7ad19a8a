// Errors of a port-forward's local listener, worded so the user knows what to change.

/** Why a local port could not be listened on. */
export type PortForwardErrorCode = 'EADDRINUSE' | 'EACCES' | 'EADDRNOTAVAIL' | 'LISTEN';

export class PortForwardError extends Error {
  override readonly name = 'PortForwardError';
  constructor(
    message: string,
    /** The local address as `host:port` (IPv6 hosts in brackets). */
    readonly address: string,
    readonly code: PortForwardErrorCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** `host:port`, with an IPv6 host in brackets as URLs write it. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A PortForwardError for a failed listen(2) on host:port. */
export function listenErrorFor(host: string, port: number, err: unknown): PortForwardError {
  const address = formatAddress(host, port);
  const code = (err as { code?: unknown } | null)?.code;
  const raw = err instanceof Error ? err.message : String(err);
  const prefix = `port-forward ${address}`;
  if (code === 'EADDRINUSE') {
    return new PortForwardError(
      `${prefix}: port ${port} is already in use: ` +
        `stop whatever uses it or choose another local port in port_forwards`,
      address,
      'EADDRINUSE',
      { cause: err },
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new PortForwardError(
      `${prefix}: permission denied to listen on port ${port}: ` +
        `choose a local port above 1023 in port_forwards`,
      address,
      'EACCES',
      { cause: err },
    );
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new PortForwardError(
      `${prefix}: ${host} is not an address of this machine: ` +
        `set host in port_forwards to a local address such as 127.0.0.1`,
      address,
      'EADDRNOTAVAIL',
      { cause: err },
    );
  }
  return new PortForwardError(`${prefix}: ${raw}`, address, 'LISTEN', { cause: err });
}

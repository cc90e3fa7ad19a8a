// Joins two byte streams both ways, as a TCP proxy does.

import type { Duplex } from 'node:stream';

/**
 * Pipes `a` into `b` and `b` into `a` until both are closed.
 *
 * - An end (FIN) of one side becomes an end of the other, so half-closed
 *   protocols (a request, then EOF, then the reply) work.
 * - An error or abrupt close of one side destroys the other: there is nobody
 *   left to talk to, and keeping it would leak a socket.
 * - When one side closes cleanly, the other is let finish writing what it
 *   has, then destroyed, even if its peer never sends an end.
 *
 * Errors are swallowed here (each side gets a listener, so none crash the
 * process); pass `onError` to hear about them. Resolves once both are closed.
 */
export function splice(
  a: Duplex,
  b: Duplex,
  onError?: (side: 'a' | 'b', err: Error) => void,
): Promise<void> {
  return new Promise((resolve) => {
    let open = 2;
    const closed = (): void => {
      open -= 1;
      if (open === 0) resolve();
    };
    a.on('error', (err: Error) => {
      onError?.('a', err);
      b.destroy();
    });
    b.on('error', (err: Error) => {
      onError?.('b', err);
      a.destroy();
    });
    const whenClosed = (from: Duplex, to: Duplex): void => {
      const done = (): void => {
        settle(from, to);
        closed();
      };
      // A side that closed before we got it would never emit 'close' again.
      if (from.closed) queueMicrotask(done);
      else from.once('close', done);
    };
    whenClosed(a, b);
    whenClosed(b, a);
    a.pipe(b);
    b.pipe(a);
  });
}

/** `from` has closed: wind `to` down. */
function settle(from: Duplex, to: Duplex): void {
  if (to.destroyed) return;
  if (!from.readableEnded) {
    // Cut off before its end: what `to` would still send or receive is moot.
    to.destroy();
    return;
  }
  if (to.writableFinished) {
    to.destroy();
    return;
  }
  // Let `to` flush the end of what `from` sent, then drop it.
  to.once('finish', () => to.destroy());
  if (!to.writableEnded) to.end();
}

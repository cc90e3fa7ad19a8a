// Flags and error handling shared by the verbs that talk to a running tilt
// (get, describe, wait, trigger, logs, enable, disable, args, snapshot).

import type { Command } from 'commander';
import type WebSocket from 'ws';
import { ApiError, TiltClient, TiltNotRunningError } from '../client/client.js';
import type { CliContext } from './io.js';
import { addressFlags } from './session-flags.js';

export interface ClientFlags {
  host: string;
  port: number;
}

export function clientFlags(cmd: Command): Command {
  return addressFlags(
    cmd,
    { host: 'host of the running tilt', port: 'port of the running tilt' },
    false,
  );
}

/**
 * Runs a verb against the tilt at --host/--port; a tilt that is not running
 * or refuses the request ends the command with `Error: ...` and exit code 1.
 */
export async function withClient(
  ctx: CliContext,
  flags: ClientFlags,
  run: (client: TiltClient) => Promise<void>,
): Promise<void> {
  try {
    await run(new TiltClient({ host: flags.host, port: flags.port }));
  } catch (e) {
    if (e instanceof TiltNotRunningError || e instanceof ApiError || e instanceof UsageError) {
      ctx.io.stderr(`Error: ${e.message}\n`);
      ctx.exitCode = 1;
      return;
    }
    throw e;
  }
}

/** Waits until the websocket closes: the server went away, or the user pressed Ctrl-C. */
export function untilClosed(ctx: CliContext, ws: WebSocket): Promise<void> {
  return new Promise<void>((resolve) => {
    const onSignal = () => ws.close();
    ws.on('close', () => {
      process.off('SIGINT', onSignal);
      resolve();
    });
    process.once('SIGINT', onSignal);
    ctx.signal?.addEventListener('abort', onSignal, { once: true });
    if (ctx.signal?.aborted) ws.close();
  });
}

/** A mistake in the command line, said in words. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

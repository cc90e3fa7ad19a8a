// Flags and plumbing shared by `tilt up` and `tilt ci`.

import { Option, type Command } from 'commander';
import type { CliContext } from './io.js';

export interface SessionFlags {
  file: string;
  port: number;
  host: string;
  runtime?: string;
  disablePortForwards?: boolean;
}

const DEFAULT_PORT = 10350;

/**
 * --host and --port (TILT_HOST / TILT_PORT) of tilt's web server: where
 * `tilt up` listens, and where the other verbs find it. Port 0 (no server)
 * makes sense only for `tilt up`.
 */
export function addressFlags(
  cmd: Command,
  help: { host: string; port: string },
  allowZero: boolean,
): Command {
  const portArg = (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < (allowZero ? 0 : 1) || n > 65535)
      throw new Error(`invalid port ${JSON.stringify(value)}`);
    return n;
  };
  return cmd
    .addOption(
      new Option('--port <port>', help.port)
        .env('TILT_PORT')
        .argParser(portArg)
        .default(DEFAULT_PORT),
    )
    .addOption(new Option('--host <host>', help.host).env('TILT_HOST').default('localhost'));
}

export function sessionFlags(cmd: Command): Command {
  return addressFlags(
    cmd.option('-f, --file <path>', 'path to the Tiltfile', 'Tiltfile'),
    { port: 'port for the web UI and API (0 disables it)', host: 'host for the web UI and API' },
    true,
  )
    .addOption(
      new Option('--runtime <runtime>', 'where Kubernetes workloads run').choices([
        'docker',
        'kubernetes',
      ]),
    )
    .option('--disable-port-forwards', 'do not forward ports', false);
}

/** Aborts on Ctrl-C / SIGTERM (or the context's own signal, in tests). */
export function interruptSignal(ctx: CliContext): { signal: AbortSignal; dispose: () => void } {
  if (ctx.signal) return { signal: ctx.signal, dispose: () => {} };
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: abort.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** Prints a session's fatal error (port in use, bad flags) in one place; returns the exit code. */
export function reportSessionError(ctx: CliContext, e: unknown): number {
  ctx.io.stderr(`Error: ${(e as Error).message}\n`);
  return 1;
}

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

function portArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`invalid port ${JSON.stringify(value)}`);
  return n;
}

export function sessionFlags(cmd: Command): Command {
  return cmd
    .option('-f, --file <path>', 'path to the Tiltfile', 'Tiltfile')
    .addOption(
      new Option('--port <port>', 'port for the web UI and API (0 disables it)')
        .env('TILT_PORT')
        .argParser(portArg)
        .default(DEFAULT_PORT),
    )
    .addOption(
      new Option('--host <host>', 'host for the web UI and API')
        .env('TILT_HOST')
        .default('localhost'),
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

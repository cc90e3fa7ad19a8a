// Running a command in a running container (live update's file copies and
// run steps): one exec create, one hijacked start carrying stdin and the
// multiplexed output, one inspect for the exit code.

import type { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import type Docker from 'dockerode';
import { ExecFailedError, type ExecOptions } from '../workload.js';
import { engineMessage, isUnreachable, statusOf } from './docker-errors.js';
import { FrameDemuxer, type StreamKind } from './logs.js';

/** How long the exit code may lag behind the end of the output before the exec counts as failed. */
const SETTLE_MS = 2000;

/**
 * Runs `argv` in `container` and resolves to its exit code. `what` names the
 * container in errors, e.g. `container web of pod app-7f9c`.
 */
export async function execInContainer(
  container: Docker.Container,
  argv: string[],
  opts: ExecOptions,
  what: string,
): Promise<number> {
  const { stdin, signal } = opts;
  signal?.throwIfAborted();
  if (argv.length === 0) throw new ExecFailedError(`exec in ${what}: empty command`);
  try {
    const exec = await container.exec({
      Cmd: argv,
      AttachStdin: stdin !== undefined,
      AttachStdout: true,
      AttachStderr: true,
      abortSignal: signal,
    });
    const socket = (await exec.start({
      hijack: true,
      stdin: stdin !== undefined,
      abortSignal: signal,
    })) as Socket;
    const startFailure = await pump(socket, opts);
    return await exitCode(exec, startFailure, signal, what);
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    if (err instanceof ExecFailedError) throw err;
    throw new ExecFailedError(failureMessage(err, what), { cause: err });
  }
}

/**
 * Feeds stdin, passes output on until the stream ends. Returns the engine's
 * own message when the process could not be started (`OCI runtime exec failed`).
 */
function pump(socket: Socket, { stdin, output, signal }: ExecOptions): Promise<string | undefined> {
  const decoders: Record<StreamKind, StringDecoder> = {
    stdout: new StringDecoder('utf8'),
    stderr: new StringDecoder('utf8'),
  };
  let first: string | undefined;
  const emit = (text: string) => {
    if (!text) return;
    first ??= text;
    output?.(text);
  };
  const demux = new FrameDemuxer((kind, data) => emit(decoders[kind].write(data)));
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (stdin) stdin.unpipe(socket);
      if (err !== undefined) {
        socket.destroy();
        reject(err);
        return;
      }
      emit(decoders.stdout.end());
      emit(decoders.stderr.end());
      resolve(first !== undefined && /^OCI runtime exec failed/.test(first) ? first : undefined);
    };
    const onAbort = () => finish(signal!.reason);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('data', (chunk: Buffer) => demux.push(chunk));
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    // The process may exit without reading all of stdin: the engine closes the
    // connection and writing fails. The exit code still tells what happened.
    socket.on('error', () => finish());
    if (stdin) {
      stdin.once('error', (err) =>
        finish(new ExecFailedError(`reading the input of the command: ${err.message}`)),
      );
      // Ends our half of the connection with stdin: the command reads EOF.
      stdin.pipe(socket);
    }
  });
}

async function exitCode(
  exec: Docker.Exec,
  startFailure: string | undefined,
  signal: AbortSignal | undefined,
  what: string,
): Promise<number> {
  const deadline = Date.now() + SETTLE_MS;
  for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
    const info = await exec.inspect({ abortSignal: signal });
    if (!info.Running) {
      if (typeof info.ExitCode === 'number') return info.ExitCode;
      // Engines that record no exit code for a process that never started.
      if (startFailure) return /not found|no such file/i.test(startFailure) ? 127 : 126;
      throw new ExecFailedError(`exec in ${what} ended without an exit code`);
    }
    if (Date.now() >= deadline) {
      throw new ExecFailedError(`exec in ${what} still running after its output ended`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

function failureMessage(err: unknown, what: string): string {
  if (isUnreachable(err)) return `exec in ${what}: the Docker engine did not answer`;
  switch (statusOf(err)) {
    case 404:
      return `${what} is gone: ${engineMessage(err)}`;
    case 409:
      return `${what} is not running: ${engineMessage(err)}`;
    default:
      return `exec in ${what} failed: ${engineMessage(err)}`;
  }
}

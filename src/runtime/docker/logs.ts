// Following a container's output: Docker's multiplexed log stream (8-byte frame
// headers, one per chunk of stdout or stderr) cut into whole lines, per stream,
// as they arrive.

import { StringDecoder } from 'node:string_decoder';
import type Docker from 'dockerode';

export type StreamKind = 'stdout' | 'stderr';

/** Splits Docker's multiplexed stream into its frames; frames may span chunks. */
export class FrameDemuxer {
  private pending = Buffer.alloc(0);

  constructor(private readonly onFrame: (stream: StreamKind, data: Buffer) => void) {}

  push(chunk: Buffer): void {
    let buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    while (buf.length >= 8) {
      const size = buf.readUInt32BE(4);
      if (buf.length < 8 + size) break;
      const kind: StreamKind = buf[0] === 2 ? 'stderr' : 'stdout';
      this.onFrame(kind, buf.subarray(8, 8 + size));
      buf = buf.subarray(8 + size);
    }
    this.pending = Buffer.from(buf);
  }
}

/** Cuts text into whole lines (without `\n`, nor a `\r` before it); keeps the partial rest. */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';

  push(data: Buffer): string[] {
    const text = this.rest + this.decoder.write(data);
    const lines = text.split('\n');
    this.rest = lines.pop()!;
    return lines.map(stripCR);
  }

  /** The unterminated last line, if any. */
  flush(): string[] {
    const last = this.rest + this.decoder.end();
    this.rest = '';
    return last === '' ? [] : [stripCR(last)];
  }
}

const stripCR = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line);

/**
 * Docker's `since` for logs: `<seconds>.<nanoseconds>` (nine digits), from an
 * RFC 3339 time with up to nanosecond precision, as the engine reports StartedAt.
 */
export function dockerSince(time: string | number): string {
  if (typeof time === 'number') {
    const seconds = Math.floor(time / 1000);
    const nanos = Math.round((time - seconds * 1000) * 1e6);
    return `${seconds}.${String(nanos).padStart(9, '0')}`;
  }
  const m = /^(.*?:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) return dockerSince(Date.parse(time));
  const seconds = Math.floor(Date.parse(`${m[1]}${m[3]}`) / 1000);
  const nanos = (m[2] ?? '').slice(0, 9).padEnd(9, '0');
  return `${seconds}.${nanos}`;
}

/** Nanoseconds since the epoch of an RFC 3339 time with up to nine fractional digits. */
export function timeNs(time: string): bigint {
  const [sec, nanos] = dockerSince(time).split('.');
  return BigInt(sec!) * 1_000_000_000n + BigInt(nanos ?? '0');
}

/** Docker's `since` for output after `time` (RFC 3339); all output (`0`) when there is none. */
export function sinceAfter(time: string): string {
  if (!time || time.startsWith('0001-')) return '0';
  const ns = timeNs(time) + 1n;
  return `${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`;
}

export interface LogFollowOptions {
  /** The container was created with a TTY: its output is raw, not multiplexed. */
  tty: boolean;
  /** Only output from then on (dockerSince format). */
  since: string;
  /** Whole lines, as they arrive. */
  onLines: (lines: string[], stream: StreamKind) => void;
  /** The stream ended (the container stopped) or failed. */
  onEnd?: (err?: Error) => void;
}

export interface LogFollower {
  stop(): void;
  /** Resolves when the stream has ended (the container stopped) and its lines were passed on. */
  readonly ended: Promise<void>;
}

/** Follows a container's output until it stops (or stop() is called). */
export function followLogs(container: Docker.Container, opts: LogFollowOptions): LogFollower {
  const abort = new AbortController();
  let stream: NodeJS.ReadableStream | undefined;
  let stopped = false;
  const splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
  const emit = (kind: StreamKind, lines: string[]) => {
    if (lines.length > 0 && !stopped) opts.onLines(lines, kind);
  };
  const demux = new FrameDemuxer((kind, data) => emit(kind, splitters[kind].push(data)));
  let ended = false;
  let resolveEnded: () => void = () => {};
  const endedPromise = new Promise<void>((resolve) => (resolveEnded = resolve));
  const end = (err?: Error) => {
    if (ended) return;
    ended = true;
    emit('stdout', splitters.stdout.flush());
    emit('stderr', splitters.stderr.flush());
    if (!stopped) opts.onEnd?.(err);
    resolveEnded();
  };

  container
    .logs({
      follow: true,
      stdout: true,
      stderr: true,
      since: opts.since,
      abortSignal: abort.signal,
    })
    .then((s) => {
      stream = s;
      if (stopped) {
        destroy(s);
        return;
      }
      s.on('data', (chunk: Buffer) => {
        if (opts.tty) emit('stdout', splitters.stdout.push(chunk));
        else demux.push(chunk);
      });
      s.on('end', () => end());
      s.on('close', () => end());
      s.on('error', (err: Error) => end(err));
    })
    .catch((err: Error) => end(err));

  return {
    ended: endedPromise,
    stop() {
      if (stopped) return;
      stopped = true;
      abort.abort();
      if (stream) destroy(stream);
      resolveEnded();
    },
  };
}

function destroy(s: NodeJS.ReadableStream): void {
  (s as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
}

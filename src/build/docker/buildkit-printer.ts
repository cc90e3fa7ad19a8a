// Turns BuildKit's progress updates into log lines in Tilt's format:
//
//   [background] read source files [done: 12ms]
//   [1/3] FROM docker.io/library/busybox [cached]
//   [2/3] RUN make
//   → compiling...
//   [2/3] RUN make [done: 1.2s]
//   ERROR IN: [3/3] RUN false
//
// BuildKit resends a vertex each time it changes; each transition is printed once.

import { StringDecoder } from 'node:string_decoder';
import type { BuildkitStatus, BuildkitVertex } from './buildkit-status.js';

const INTERNAL = '[internal] ';
/** The context transfer: through a session, or (a tar body) the engine's copy. */
const CONTEXT_VERTEXES = new Set(['[internal] load build context', 'copy /context /']);

interface VertexState {
  name: string;
  /** Internal bookkeeping vertices are only shown when they fail. */
  hidden: boolean;
  startPrinted: boolean;
  endPrinted: boolean;
  started?: number;
  output: string[];
  decoder: StringDecoder;
  partial: string;
}

/** The failing vertex of a build: its name as printed and its last output lines. */
export interface BuildkitFailure {
  step: string;
  output: readonly string[];
  error: string;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.max(0, Math.round(ms))}ms` : `${(ms / 1000).toFixed(1)}s`;
}

function displayName(name: string): string {
  return CONTEXT_VERTEXES.has(name) ? '[background] read source files' : name;
}

export class BuildkitPrinter {
  private readonly vertexes = new Map<string, VertexState>();
  private failure: BuildkitFailure | undefined;

  /**
   * @param emit receives each line, without a newline.
   * @param maxOutput how many output lines of each vertex are kept for the failure report.
   */
  constructor(
    private readonly emit: (line: string) => void,
    private readonly maxOutput = 200,
  ) {}

  /** The first vertex that failed, once one has. */
  get failed(): BuildkitFailure | undefined {
    return this.failure;
  }

  update(status: BuildkitStatus): void {
    for (const v of status.vertexes) this.updateVertex(v);
    for (const log of status.logs) {
      const state = this.vertexes.get(log.vertex);
      if (!state) continue;
      const text = state.partial + state.decoder.write(Buffer.from(log.msg));
      const lines = text.split(/\r?\n/);
      state.partial = lines.pop() ?? '';
      for (const line of lines) this.output(state, line);
    }
  }

  /** Prints what is left of unterminated output lines. */
  flush(): void {
    for (const state of this.vertexes.values()) this.flushVertex(state);
  }

  private updateVertex(v: BuildkitVertex): void {
    let state = this.vertexes.get(v.digest);
    if (!state) {
      state = {
        name: displayName(v.name),
        hidden: v.name.startsWith(INTERNAL) && !CONTEXT_VERTEXES.has(v.name),
        startPrinted: false,
        endPrinted: false,
        output: [],
        decoder: new StringDecoder('utf8'),
        partial: '',
      };
      this.vertexes.set(v.digest, state);
    }
    if (v.started !== undefined) state.started ??= v.started;
    if (state.endPrinted) return;

    if (v.error) {
      this.flushVertex(state);
      state.endPrinted = true;
      this.failure ??= { step: state.name, output: [...state.output], error: v.error };
      this.emit(`ERROR IN: ${state.name}`);
      return;
    }
    if (state.hidden) return;
    if (v.cached) {
      state.endPrinted = true;
      this.emit(`${state.name} [cached]`);
      return;
    }
    if (v.completed !== undefined) {
      this.flushVertex(state);
      state.endPrinted = true;
      const took = v.completed - (state.started ?? v.completed);
      this.emit(`${state.name} [done: ${formatDuration(took)}]`);
      return;
    }
    if (v.started !== undefined && !state.startPrinted) {
      state.startPrinted = true;
      this.emit(state.name);
    }
  }

  private output(state: VertexState, line: string): void {
    state.output.push(line);
    if (state.output.length > this.maxOutput) state.output.shift();
    if (!state.hidden) this.emit(`→ ${line}`);
  }

  private flushVertex(state: VertexState): void {
    const rest = state.partial + state.decoder.end();
    state.partial = '';
    state.decoder = new StringDecoder('utf8');
    if (rest !== '') this.output(state, rest);
  }
}

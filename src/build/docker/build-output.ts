// Reading the messages of a build stream into log lines, for each builder: the classic
// builder sends text (`{"stream":"Step 1/3 : FROM ..."}`), BuildKit sends encoded progress
// updates. Each reader also remembers the step that was running, for the error report.

import { BuildkitPrinter } from './buildkit-printer.js';
import { decodeBuildkitStatus } from './buildkit-status.js';

/** How many lines of the failing step's output a BuildError keeps. */
const STEP_LINES = 200;
/** A line longer than this is passed on in pieces. */
const MAX_LINE = 64 * 1024;

/** One message of the engine's JSON progress streams. */
export interface JsonMessage {
  stream?: string;
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { code?: number; message?: string };
  /** An object for image IDs and push results; a base64 string for BuildKit progress. */
  aux?: { ID?: string; Tag?: string; Digest?: string; Size?: number } | string;
}

export interface BuildOutput {
  /** Handles one non-error message. */
  message(msg: JsonMessage): void;
  /** The stream ended: prints what is pending. */
  end(): void;
  /** The step that was running last (or failed) and its output. */
  step(): { step?: string; stepOutput: readonly string[] };
  /** The image ID, when the stream reported it in full. */
  readonly imageId?: string;
  /** The short image ID of `Successfully built <id>`. */
  readonly shortId?: string;
}

export function formatStatus(msg: JsonMessage): string {
  const status = msg.status ?? '';
  return msg.id ? `${msg.id}: ${status}` : status;
}

/** The exit code in a BuildKit error, e.g. `... did not complete successfully: exit code: 2`. */
export function exitCodeIn(message: string): number | undefined {
  const m = /exit code: (\d+)/.exec(message);
  return m ? Number(m[1]) : undefined;
}

export function pushCapped(lines: string[], line: string, cap: number): void {
  lines.push(line);
  if (lines.length > cap) lines.splice(0, lines.length - cap);
}

/** The classic builder: text lines, with `Step i/n : ...` headers. */
export class ClassicOutput implements BuildOutput {
  imageId?: string;
  shortId?: string;
  private current?: string;
  private currentOutput: string[] = [];
  private readonly lines: LineSplitter;

  constructor(emit: (line: string) => void) {
    this.lines = new LineSplitter((line) => {
      if (/^Step \d+\/\d+ : /.test(line)) {
        this.current = line;
        this.currentOutput = [];
      } else {
        pushCapped(this.currentOutput, line, STEP_LINES);
      }
      const built = /^Successfully built ([0-9a-f]{12,64})$/.exec(line);
      if (built) this.shortId = built[1];
      emit(line);
    });
  }

  message(msg: JsonMessage): void {
    if (typeof msg.stream === 'string') this.lines.write(msg.stream);
    if (typeof msg.aux === 'object' && msg.aux.ID) this.imageId = msg.aux.ID;
    // Progress of pulling a base image (pull: true).
    if (typeof msg.status === 'string') this.lines.write(formatStatus(msg) + '\n');
  }

  end(): void {
    this.lines.flush();
  }

  step() {
    return { step: this.current, stepOutput: this.currentOutput };
  }
}

/** BuildKit: protobuf progress updates, printed by BuildkitPrinter. */
export class BuildkitOutput implements BuildOutput {
  imageId?: string;
  private readonly printer: BuildkitPrinter;
  private readonly lines: LineSplitter;

  constructor(emit: (line: string) => void) {
    this.printer = new BuildkitPrinter(emit, STEP_LINES);
    this.lines = new LineSplitter(emit);
  }

  message(msg: JsonMessage): void {
    if (msg.id === 'moby.buildkit.trace' && typeof msg.aux === 'string') {
      this.printer.update(decodeBuildkitStatus(msg.aux));
    } else if (msg.id === 'moby.image.id' && typeof msg.aux === 'object') {
      this.imageId = msg.aux.ID;
    } else if (typeof msg.stream === 'string') {
      this.lines.write(msg.stream);
    }
  }

  end(): void {
    this.printer.flush();
    this.lines.flush();
  }

  step() {
    const failed = this.printer.failed;
    return { step: failed?.step, stepOutput: failed?.output ?? [] };
  }
}

/**
 * Reassembles output text that arrives in arbitrary pieces into lines. A carriage return
 * inside a line keeps only what follows it, as a terminal would show.
 */
export class LineSplitter {
  private pending = '';

  constructor(private readonly emit: (line: string) => void) {}

  write(text: string): void {
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) >= 0) {
      this.emitLine(this.pending + text.slice(start, nl));
      this.pending = '';
      start = nl + 1;
    }
    this.pending += text.slice(start);
    if (this.pending.length > MAX_LINE) {
      this.emitLine(this.pending);
      this.pending = '';
    }
  }

  flush(): void {
    if (this.pending !== '') {
      this.emitLine(this.pending);
      this.pending = '';
    }
  }

  private emitLine(raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const cr = line.lastIndexOf('\r');
    this.emit(cr >= 0 ? line.slice(cr + 1) : line);
  }
}

// Error types of the Starlark interpreter.

/** A source position: 1-based line and column. */
export interface Position {
  file: string;
  line: number;
  col: number;
}

export function formatPos(p: Position): string {
  return `${p.file}:${p.line}:${p.col}`;
}

/** A syntax or resolve error: `file:line:col: message`. */
export class StarlarkSyntaxError extends Error {
  constructor(
    readonly pos: Position,
    readonly msg: string,
  ) {
    super(`${formatPos(pos)}: ${msg}`);
    this.name = 'StarlarkSyntaxError';
  }
}

/** Several syntax/resolve errors of one file (the resolver reports all of them). */
export class StarlarkSyntaxErrors extends Error {
  constructor(readonly errors: StarlarkSyntaxError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'StarlarkSyntaxErrors';
  }
}

/** Longest run of identical backtrace lines printed in full. */
const MAX_REPEATED_FRAMES = 100;

/** One frame of a Starlark call stack, as go.starlark.net prints it. */
export interface CallFrame {
  /** Function name: `<toplevel>`, a def's name, `lambda`, or a builtin's name. */
  name: string;
  /** Position of the active call or operation; undefined for a builtin frame. */
  pos?: Position;
}

/**
 * A Starlark runtime error. The call stack is collected while the error
 * unwinds, innermost frame first; `stack` gives it outermost first.
 */
export class EvalError extends Error {
  /** Innermost first. */
  readonly frames: CallFrame[] = [];
  /** The activation that last added a frame, so each activation adds one. */
  lastActivation: unknown = undefined;
  /** Errors that stop the whole program (like Tilt's exit()) pass through load() unwrapped. */
  crossesLoad = false;

  constructor(readonly msg: string) {
    super(msg);
    this.name = 'EvalError';
  }

  /** Outermost first. */
  get stack_(): CallFrame[] {
    return [...this.frames].reverse();
  }

  /** The position of the innermost frame that has one. */
  get pos(): Position | undefined {
    for (const f of this.frames) if (f.pos) return f.pos;
    return undefined;
  }

  /** `Traceback (most recent call last): ... Error in f: msg`, as go.starlark.net prints it. */
  backtrace(): string {
    let frames = this.stack_;
    let suffix = '';
    const last = frames[frames.length - 1];
    if (last && !last.pos) {
      suffix = ` in ${last.name}`;
      frames = frames.slice(0, -1);
    }
    let out = '';
    if (frames.length > 0) out += 'Traceback (most recent call last):\n';
    // Every frame is printed, as go.starlark.net does, except that a runaway
    // recursion's hundreds of identical lines are cut to a few.
    const lines = frames.map((f) => `  ${f.pos ? formatPos(f.pos) : '<builtin>'}: in ${f.name}\n`);
    for (let i = 0; i < lines.length;) {
      let j = i;
      while (j < lines.length && lines[j] === lines[i]) j++;
      const shown = j - i > MAX_REPEATED_FRAMES ? 3 : j - i;
      out += lines[i].repeat(shown);
      if (j - i > shown) out += `  [Previous line repeated ${j - i - shown} more times]\n`;
      i = j;
    }
    return `${out}Error${suffix}: ${this.msg}`;
  }
}

/** Raised when the embedder cancels a running program. */
export class CancelledError extends EvalError {
  constructor(reason: string) {
    super(`Starlark computation cancelled: ${reason}`);
  }
}

/** Where CLI output goes. Tests substitute their own writers. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stdout is a terminal (the status table instead of the log stream). */
  isTTY?: boolean;
  /** The terminal's width. */
  columns?: () => number;
}

/** State shared by all commands during one invocation of `main`. */
export interface CliContext {
  io: CliIO;
  /** Exit code reported by the command that ran; `main` returns it. */
  exitCode: number;
  /** Ends long-running commands (tilt up) as Ctrl-C does; the process's SIGINT/SIGTERM otherwise. */
  signal?: AbortSignal;
}

export const processIO: CliIO = {
  stdout: (text) => {
    process.stdout.write(text);
  },
  stderr: (text) => {
    process.stderr.write(text);
  },
  isTTY: process.stdout.isTTY === true,
  // A pseudo-terminal may report 0 columns: treat that as unknown.
  columns: () => process.stdout.columns || 80,
};

/** Where CLI output goes. Tests substitute their own writers. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** State shared by all commands during one invocation of `main`. */
export interface CliContext {
  io: CliIO;
  /** Exit code reported by the command that ran; `main` returns it. */
  exitCode: number;
}

export const processIO: CliIO = {
  stdout: (text) => {
    process.stdout.write(text);
  },
  stderr: (text) => {
    process.stderr.write(text);
  },
};

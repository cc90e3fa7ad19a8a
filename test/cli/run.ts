// Running the CLI in-process, as a user runs it in a terminal, with its
// output captured.

import { main } from '../../src/cli/main.js';

/** Runs a command to its end. */
export async function run(
  argv: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { code, stdout, stderr };
}

/** Starts a command that runs until `signal` aborts (tilt up, logs -f, get -w). */
export function start(
  argv: string[],
  signal: AbortSignal,
): { output: () => string; exit: Promise<number> } {
  let output = '';
  const write = (t: string) => void (output += t);
  const exit = main(argv, { stdout: write, stderr: write }, signal);
  return { output: () => output, exit };
}

import { Command, CommanderError } from 'commander';
import { register as registerAlpha } from './alpha.js';
import { register as registerCI } from './ci.js';
import { register as registerControl } from './control.js';
import { register as registerDown } from './down.js';
import { register as registerGet } from './get.js';
import { register as registerLogs } from './logs.js';
import { register as registerSnapshot } from './snapshot.js';
import { register as registerUp } from './up.js';
import { processIO, type CliContext, type CliIO } from './io.js';
import { register as registerVersion } from './version.js';
import { register as registerWait } from './wait.js';

/**
 * Builds the `tilt` program. Output settings and exit handling are configured
 * before any subcommand is added so that every subcommand inherits them.
 */
export function createProgram(ctx: CliContext): Command {
  const program = new Command('tilt')
    .description('Tilt: a multi-service dev environment for containers and Kubernetes')
    .configureOutput({ writeOut: ctx.io.stdout, writeErr: ctx.io.stderr })
    .exitOverride();

  registerUp(program, ctx);
  registerCI(program, ctx);
  registerDown(program, ctx);
  registerVersion(program, ctx);
  registerGet(program, ctx);
  registerWait(program, ctx);
  registerControl(program, ctx);
  registerLogs(program, ctx);
  registerSnapshot(program, ctx);
  registerAlpha(program, ctx);

  return program;
}

/**
 * Runs the CLI with the given arguments (without the node and script paths)
 * and resolves to the process exit code. It never exits the process itself.
 */
export async function main(
  argv: string[] = process.argv.slice(2),
  io: CliIO = processIO,
  signal?: AbortSignal,
): Promise<number> {
  const ctx: CliContext = { io, exitCode: 0, signal };
  const program = createProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode;
    }
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    io.stderr(`tilt: ${message}\n`);
    return 1;
  }
  return ctx.exitCode;
}

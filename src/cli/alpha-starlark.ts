import type { Command } from 'commander';
import type { CliContext } from './io.js';

interface StarlarkFlags {
  conformance: boolean;
  lib?: string;
}

export function register(alpha: Command, ctx: CliContext): Command {
  return alpha
    .command('starlark')
    .description('Run Starlark files')
    .argument('<files...>', 'Starlark files to run')
    .option('--conformance', 'run the files as conformance tests', false)
    .option('--lib <dir>', 'directory to resolve load() modules from')
    .action(async (files: string[], flags: StarlarkFlags) => {
      // Loaded on demand so that other commands do not pay for the interpreter.
      const { runStarlarkCommand } = await import('../starlark/runner.js');
      ctx.exitCode = await runStarlarkCommand({
        files,
        conformance: flags.conformance,
        lib: flags.lib,
      });
    });
}

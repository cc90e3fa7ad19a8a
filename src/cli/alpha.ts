import type { Command } from 'commander';
import { register as registerStarlark } from './alpha-starlark.js';
import type { CliContext } from './io.js';

export function register(program: Command, ctx: CliContext): Command {
  const alpha = program.command('alpha').description('Unstable or experimental commands');
  registerStarlark(alpha, ctx);
  return alpha;
}

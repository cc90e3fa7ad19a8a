import type { Command } from 'commander';
import { register as registerStarlark } from './alpha-starlark.js';
import { register as registerTiltfileResult } from './alpha-tiltfile-result.js';
import type { CliContext } from './io.js';

export function register(program: Command, ctx: CliContext): Command {
  const alpha = program.command('alpha').description('Unstable or experimental commands');
  registerStarlark(alpha, ctx);
  registerTiltfileResult(alpha, ctx);
  return alpha;
}

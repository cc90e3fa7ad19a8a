import type { Command } from 'commander';
import type { CliContext } from './io.js';

interface Flags {
  file: string;
}

export function register(alpha: Command, ctx: CliContext): Command {
  return alpha
    .command('tiltfile-result')
    .description('Load the Tiltfile and print the resources it defines as JSON')
    .option('-f, --file <path>', 'path to the Tiltfile', 'Tiltfile')
    .argument('[args...]', 'Tiltfile arguments (after --)')
    .action(async (args: string[], flags: Flags) => {
      const { loadTiltfile } = await import('../tiltfile/index.js');
      const { resultJSON } = await import('../tiltfile/result-json.js');
      const result = loadTiltfile({
        path: flags.file,
        args,
        subcommand: 'alpha tiltfile-result',
        log: (line) => ctx.io.stderr(line + '\n'),
      });
      ctx.io.stdout(JSON.stringify(resultJSON(result), null, 2) + '\n');
      if (result.error) {
        ctx.io.stderr(result.error + '\n');
        ctx.exitCode = 1;
      }
    });
}

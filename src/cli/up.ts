// `tilt up`: run the Tiltfile's resources and keep them up to date until Ctrl-C.

import type { Command } from 'commander';
import type { CliContext } from './io.js';
import {
  interruptSignal,
  reportSessionError,
  sessionFlags,
  type SessionFlags,
} from './session-flags.js';
import { runSession } from './session.js';

interface UpFlags extends SessionFlags {
  stream?: boolean;
}

export function register(program: Command, ctx: CliContext): Command {
  return sessionFlags(
    program
      .command('up')
      .description('Start Tilt with the given Tiltfile args')
      .option(
        '--stream',
        'stream logs instead of showing the status table (always, when stdout is not a terminal)',
        false,
      ),
  )
    .argument(
      '[args...]',
      'Tiltfile args (resources to run, unless the Tiltfile uses config.parse)',
    )
    .action(async (args: string[], flags: UpFlags) => {
      const { signal, dispose } = interruptSignal(ctx);
      try {
        ctx.exitCode = await runSession(
          ctx,
          {
            mode: 'up',
            file: flags.file,
            args,
            port: flags.port,
            host: flags.host,
            stream: flags.stream ?? false,
            runtime: flags.runtime,
            disablePortForwards: flags.disablePortForwards,
          },
          signal,
        );
      } catch (e) {
        ctx.exitCode = reportSessionError(ctx, e);
      } finally {
        dispose();
      }
    });
}

// `tilt ci`: run the resources once, without watching, and exit with a verdict.

import type { Command } from 'commander';
import { parseGoDuration } from '../engine/duration.js';
import type { CliContext } from './io.js';
import {
  interruptSignal,
  reportSessionError,
  sessionFlags,
  type SessionFlags,
} from './session-flags.js';
import { runSession } from './session.js';

interface CIFlags extends SessionFlags {
  timeout?: string;
}

export function register(program: Command, ctx: CliContext): Command {
  return sessionFlags(
    program
      .command('ci')
      .description(
        'Start Tilt in CI mode: exit 0 once every resource is healthy, 1 at the first failure',
      )
      .option(
        '--timeout <duration>',
        'give up after this long (default 30m, or ci_settings(timeout))',
      ),
  )
    .argument('[args...]', 'Tiltfile args')
    .action(async (args: string[], flags: CIFlags) => {
      let timeoutMs: number | undefined;
      if (flags.timeout !== undefined) {
        timeoutMs = parseGoDuration(flags.timeout);
        if (timeoutMs === undefined) {
          ctx.io.stderr(
            `Error: invalid --timeout ${JSON.stringify(flags.timeout)}: use a duration like 30m or 90s\n`,
          );
          ctx.exitCode = 1;
          return;
        }
      }
      const { signal, dispose } = interruptSignal(ctx);
      try {
        ctx.exitCode = await runSession(
          ctx,
          {
            mode: 'ci',
            file: flags.file,
            args,
            port: flags.port,
            host: flags.host,
            stream: true,
            runtime: flags.runtime,
            disablePortForwards: flags.disablePortForwards,
            timeoutMs,
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

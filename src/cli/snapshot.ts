// `tilt snapshot create [FILE]`: the running tilt's view and logs as JSON.

import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Snapshot } from '../api/types.js';
import { clientFlags, withClient, type ClientFlags } from './client-flags.js';
import type { CliContext } from './io.js';

export function register(program: Command, ctx: CliContext): void {
  const snapshot = program.command('snapshot').description('Snapshots of a running tilt');
  clientFlags(
    snapshot
      .command('create')
      .description('Write a snapshot of the view and logs to FILE (or stdout)')
      .argument('[file]', 'where to write it'),
  ).action(async (file: string | undefined, flags: ClientFlags) => {
    await withClient(ctx, flags, async (client) => {
      const snap = await client.get<Snapshot>('/api/snapshot');
      const text = JSON.stringify(snap);
      if (file) writeFileSync(file, text);
      else ctx.io.stdout(`${text}\n`);
    });
  });
}

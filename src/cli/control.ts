// Verbs that change a running tilt: `tilt trigger`, `tilt enable`,
// `tilt disable` and `tilt args`.

import type { Command } from 'commander';
import type { UIResource } from '../api/types.js';
import { TILTFILE_RESOURCE } from '../logs/index.js';
import { clientFlags, UsageError, withClient, type ClientFlags } from './client-flags.js';
import type { CliContext } from './io.js';

interface SelectFlags extends ClientFlags {
  all?: boolean;
  labels?: string;
}

/** The names given, or every resource (--all), or those with one of the labels (-l a,b). */
async function select(
  names: string[],
  flags: SelectFlags,
  list: () => Promise<UIResource[]>,
): Promise<string[]> {
  const ways = (names.length > 0 ? 1 : 0) + (flags.all ? 1 : 0) + (flags.labels ? 1 : 0);
  if (ways !== 1) throw new UsageError('name resources, or use --all, or -l LABELS (one of them)');
  if (names.length > 0) return names;
  const resources = (await list()).filter((r) => r.metadata.name !== TILTFILE_RESOURCE);
  if (flags.all) return resources.map((r) => r.metadata.name);
  const wanted = flags
    .labels!.split(',')
    .map((l) => l.trim())
    .filter(Boolean);
  const chosen = resources.filter((r) => r.status.labels.some((l) => wanted.includes(l)));
  if (chosen.length === 0) throw new UsageError(`no resources with labels: ${wanted.join(', ')}`);
  return chosen.map((r) => r.metadata.name);
}

export function register(program: Command, ctx: CliContext): void {
  clientFlags(
    program
      .command('trigger')
      .description('Start an update of a resource of a running tilt')
      .argument('<name>', 'the resource'),
  ).action(async (name: string, flags: ClientFlags) => {
    await withClient(ctx, flags, async (client) => {
      await client.post('/api/trigger', { manifest_names: [name], build_reason: 16 });
      ctx.io.stdout(`Successfully triggered update for resource: "${name}"\n`);
    });
  });

  for (const enable of [true, false]) {
    const verb = enable ? 'enable' : 'disable';
    clientFlags(
      program
        .command(verb)
        .description(`${enable ? 'Enable' : 'Disable'} resources of a running tilt`)
        .argument('[names...]', 'resources')
        .option('--all', `${verb} every resource`)
        .option('-l, --labels <labels>', `${verb} the resources with any of these labels (a,b)`),
    ).action(async (names: string[], flags: SelectFlags) => {
      await withClient(ctx, flags, async (client) => {
        const chosen = await select(
          names,
          flags,
          async () => (await client.get<{ items: UIResource[] }>('/api/objects/uiresource')).items,
        );
        await client.post('/api/enable', { manifest_names: chosen, enable });
      });
    });
  }

  clientFlags(
    program
      .command('args')
      .description('Change the Tiltfile args of a running tilt: tilt args -- ARGS')
      .option('--clear', 'run the Tiltfile with no args')
      .argument('[args...]', 'the new args, after --'),
  ).action(async (args: string[], flags: ClientFlags & { clear?: boolean }) => {
    await withClient(ctx, flags, async (client) => {
      if (args.length === 0 && !flags.clear) {
        throw new UsageError('give the new args after --, or --clear to remove them');
      }
      await client.post('/api/set_tiltfile_args', flags.clear ? [] : args);
    });
  });
}

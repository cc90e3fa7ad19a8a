// `tilt logs`: the logs of a running tilt, as its terminal shows them or as
// JSON lines, optionally following new output.

import type { Command } from 'commander';
import type { LogChunk, LogSegmentJSON } from '../api/types.js';
import { parseGoDuration } from '../engine/duration.js';
import { StreamRenderer } from '../logs/index.js';
import {
  clientFlags,
  untilClosed,
  UsageError,
  withClient,
  type ClientFlags,
} from './client-flags.js';
import type { CliContext } from './io.js';

interface LogsFlags extends ClientFlags {
  follow?: boolean;
  since?: string;
  source: string;
  level?: string;
  json?: boolean;
}

/** The query of /api/logs and /ws/logs for the flags. */
function query(names: string[], flags: LogsFlags): URLSearchParams {
  const q = new URLSearchParams({ since: '0' });
  if (names.length > 0) q.set('resources', names.join(','));
  if (!['all', 'build', 'runtime'].includes(flags.source)) {
    throw new UsageError(`invalid --source "${flags.source}": use all, build or runtime`);
  }
  // The Tiltfile's own output counts as build output.
  if (flags.source === 'build') q.set('sources', 'build,tiltfile');
  if (flags.source === 'runtime') q.set('sources', 'runtime');
  if (flags.level !== undefined) {
    const level = flags.level.toUpperCase();
    if (level !== 'WARN' && level !== 'ERROR') {
      throw new UsageError(`invalid --level "${flags.level}": use warn or error`);
    }
    q.set('minLevel', level);
  }
  return q;
}

export function register(program: Command, ctx: CliContext): void {
  clientFlags(
    program
      .command('logs')
      .description('Print the logs of a running tilt')
      .argument('[names...]', 'only these resources')
      .option('-f, --follow', 'keep printing new output')
      .option('--since <duration>', 'only lines newer than this (e.g. 5m)')
      .option('--source <source>', 'all, build or runtime', 'all')
      .option('--level <level>', 'only warnings and errors (warn), or errors (error)')
      .option('--json', 'one JSON object per line'),
  ).action(async (names: string[], flags: LogsFlags) => {
    await withClient(ctx, flags, async (client) => {
      const q = query(names, flags);
      let after = 0;
      if (flags.since !== undefined) {
        const ms = parseGoDuration(flags.since);
        if (ms === undefined) throw new UsageError(`invalid --since "${flags.since}"`);
        after = Date.now() - ms;
      }
      const renderer = new StreamRenderer();
      const print = (segments: LogSegmentJSON[]) => {
        let out = '';
        for (const s of segments) {
          if (s.time < after) continue;
          if (flags.json) {
            out += `${JSON.stringify({ time: new Date(s.time).toISOString(), resource: s.resource, level: s.level, source: s.source, text: s.text })}\n`;
          } else {
            out += renderer.render(s);
          }
        }
        if (out) ctx.io.stdout(out);
      };
      const first = await client.get<LogChunk>(`/api/logs?${q}`);
      print(first.segments);
      if (!flags.follow) {
        const tail = renderer.finish();
        if (tail) ctx.io.stdout(tail);
        return;
      }
      q.set('since', String(first.checkpoint));
      const ws = await client.websocket(`/ws/logs?${q}`, (text) =>
        print((JSON.parse(text) as LogChunk).segments),
      );
      await untilClosed(ctx, ws);
    });
  });
}

// `tilt wait --for=condition=Ready uiresource/NAME`: waits, through the view's
// websocket, until the resources meet the condition.

import type { Command } from 'commander';
import type { UIResource, ViewMessage } from '../api/types.js';
import { parseGoDuration } from '../engine/duration.js';
import { clientFlags, UsageError, withClient, type ClientFlags } from './client-flags.js';
import type { CliContext } from './io.js';

interface WaitFlags extends ClientFlags {
  for: string;
  timeout: string;
}

function parseCondition(spec: string): { type: string; status: string } {
  const m = /^condition=([A-Za-z]+)(?:=(\w+))?$/.exec(spec);
  if (!m) throw new UsageError(`unrecognized condition: "${spec}" (use --for=condition=Ready)`);
  const status = m[2] === undefined ? 'True' : m[2][0].toUpperCase() + m[2].slice(1).toLowerCase();
  return { type: m[1], status };
}

function parseNames(targets: string[]): string[] {
  return targets.map((t) => {
    const m = /^(uiresources?|UIResources?)\/(.+)$/i.exec(t);
    if (!m) throw new UsageError(`can only wait on uiresource/NAME, not "${t}"`);
    return m[2];
  });
}

export function register(program: Command, ctx: CliContext): void {
  clientFlags(
    program
      .command('wait')
      .description('Wait until resources of a running tilt meet a condition')
      .argument('<targets...>', 'uiresource/NAME ...')
      .requiredOption('--for <condition>', 'condition=Ready, condition=UpToDate (=True or =False)')
      .option('--timeout <duration>', 'how long to wait (e.g. 30s, 5m)', '30s'),
  ).action(async (targets: string[], flags: WaitFlags) => {
    await withClient(ctx, flags, async (client) => {
      const want = parseCondition(flags.for);
      const names = parseNames(targets);
      const timeoutMs = parseGoDuration(flags.timeout);
      if (timeoutMs === undefined) throw new UsageError(`invalid --timeout "${flags.timeout}"`);
      const seen = new Map<string, UIResource>();
      const met = (n: string) =>
        seen
          .get(n)
          ?.status.conditions.some((c) => c.type === want.type && c.status === want.status) ??
        false;
      let done: (ok: boolean) => void = () => {};
      const ws = await client.websocket('/ws/view', (text) => {
        const msg = JSON.parse(text) as ViewMessage;
        const list = msg.type === 'view' ? msg.view.resources : msg.resources;
        for (const r of list) seen.set(r.metadata.name, r);
        if (names.every(met)) done(true);
      });
      const ok = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        done = (v) => {
          clearTimeout(timer);
          resolve(v);
        };
        if (names.every(met)) done(true);
        ws.on('close', () => {
          clearTimeout(timer);
          resolve(names.every(met));
        });
        ctx.signal?.addEventListener('abort', () => resolve(false), { once: true });
      });
      ws.close();
      if (ok) {
        for (const n of names) ctx.io.stdout(`uiresource.tilt.dev/${n} condition met\n`);
        return;
      }
      const missing = names.filter((n) => !seen.has(n));
      if (missing.length > 0) {
        throw new UsageError(`uiresources.tilt.dev "${missing[0]}" not found`);
      }
      const waiting = names.filter((n) => !met(n));
      ctx.io.stderr(
        `error: timed out waiting for the condition on uiresources/${waiting.join(', uiresources/')}\n`,
      );
      ctx.exitCode = 1;
    });
  });
}

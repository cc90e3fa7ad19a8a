// `tilt get` and `tilt describe`: the objects of a running tilt, as a table,
// JSON or YAML, or described in full.

import type { Command } from 'commander';
import { stringify } from 'yaml';
import type { ApiObject, ObjectWatchMessage, UIResource } from '../api/types.js';
import type { TiltClient } from '../client/client.js';
import {
  clientFlags,
  untilClosed,
  UsageError,
  withClient,
  type ClientFlags,
} from './client-flags.js';
import type { CliContext } from './io.js';

/** `KIND NAME` or `KIND/NAME`. */
export function parseTarget(args: string[]): { kind?: string; name?: string } {
  const [first, second] = args;
  if (first === undefined) return {};
  const slash = first.indexOf('/');
  if (slash >= 0) return { kind: first.slice(0, slash), name: first.slice(slash + 1) || second };
  return { kind: first, name: second };
}

/** The objects named, or all of the kind. */
export async function fetchObjects(
  client: TiltClient,
  kind: string | undefined,
  name: string | undefined,
): Promise<{ single: boolean; items: ApiObject[] }> {
  if (!kind) {
    const { kinds } = await client.get<{ kinds: string[] }>('/api/objects');
    throw new UsageError(
      `You must specify the type of resource to get. Known types: ${kinds.join(', ')}`,
    );
  }
  const k = encodeURIComponent(kind);
  if (name !== undefined) {
    return {
      single: true,
      items: [await client.get<ApiObject>(`/api/objects/${k}/${encodeURIComponent(name)}`)],
    };
  }
  return {
    single: false,
    items: (await client.get<{ items: ApiObject[] }>(`/api/objects/${k}`)).items,
  };
}

/** Left-aligned columns, as kubectl prints them. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3)))
        .join('')
        .trimEnd(),
    )
    .join('\n');
}

function rowsOf(items: ApiObject[], wide: boolean): string[][] {
  if (items.length > 0 && items.every((o) => o.kind === 'UIResource')) {
    const head = ['NAME', 'UPDATE', 'RUNTIME'];
    if (wide) head.push('TYPE', 'TRIGGER', 'POD', 'ENDPOINTS', 'LABELS');
    return [
      head,
      ...(items as UIResource[]).map((r) => {
        const s = r.status;
        const row = [
          r.metadata.name,
          s.disabled ? 'disabled' : s.updateStatus,
          s.disabled ? 'disabled' : s.runtimeStatus,
        ];
        if (wide) {
          row.push(
            s.type,
            s.triggerMode,
            s.podName ?? '<none>',
            s.endpointLinks.map((l) => l.url).join(',') || '<none>',
            s.labels.join(',') || '<none>',
          );
        }
        return row;
      }),
    ];
  }
  return [['NAME', 'KIND'], ...items.map((o) => [o.metadata.name, o.kind])];
}

export function formatObjects(
  items: ApiObject[],
  single: boolean,
  output: string | undefined,
): string {
  if (output === 'json' || output === 'yaml') {
    const data = single ? items[0] : { apiVersion: 'v1', kind: 'List', items };
    return output === 'json' ? JSON.stringify(data, null, 4) : stringify(data).trimEnd();
  }
  if (output !== undefined && output !== 'wide') {
    throw new UsageError(
      `unable to match a printer suitable for the output format "${output}", allowed formats are: json, yaml, wide`,
    );
  }
  if (items.length === 0) return 'No resources found.';
  return table(rowsOf(items, output === 'wide'));
}

/** kubectl-style description: the object's identity, then its spec and status as YAML. */
export function describe(o: ApiObject): string {
  const labels = Object.entries(o.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`);
  const section = (title: string, data: unknown) => {
    if (data === undefined || (typeof data === 'object' && data && Object.keys(data).length === 0))
      return `${title}:  <none>`;
    const body = stringify(data).trimEnd().replace(/^/gm, '  ');
    return `${title}:\n${body}`;
  };
  return [
    `Name:         ${o.metadata.name}`,
    `Kind:         ${o.kind}`,
    `API Version:  ${o.apiVersion}`,
    `Labels:       ${labels.length > 0 ? labels.join(',') : '<none>'}`,
    section('Spec', 'spec' in o ? o.spec : undefined),
    section('Status', o.status),
  ].join('\n');
}

/**
 * `tilt get KIND [NAME] -w`: the objects, then each change as it happens (a
 * table row, or a JSON/YAML document), until interrupted.
 */
async function watch(
  ctx: CliContext,
  client: TiltClient,
  kind: string,
  name: string | undefined,
  output: string | undefined,
): Promise<void> {
  let header = true;
  const print = (items: ApiObject[]) => {
    const shown = name === undefined ? items : items.filter((o) => o.metadata.name === name);
    if (shown.length === 0) return;
    if (output === 'json' || output === 'yaml') {
      for (const o of shown) ctx.io.stdout(`${formatObjects([o], true, output)}\n`);
      return;
    }
    const lines = formatObjects(shown, false, output).split('\n');
    ctx.io.stdout(`${(header ? lines : lines.slice(1)).join('\n')}\n`);
    header = false;
  };
  formatObjects([], false, output); // refuses an unknown format before connecting
  const ws = await client.websocket(`/ws/objects/${encodeURIComponent(kind)}`, (text) =>
    print((JSON.parse(text) as ObjectWatchMessage).items),
  );
  await untilClosed(ctx, ws);
}

export function register(program: Command, ctx: CliContext): void {
  clientFlags(
    program
      .command('get')
      .description('Display the objects of a running tilt (uiresource, uisession, ...)')
      .argument('[target...]', 'KIND [NAME], or KIND/NAME')
      .option('-o, --output <format>', 'json, yaml or wide')
      .option('-w, --watch', 'after listing, print the objects that change'),
  ).action(async (args: string[], flags: ClientFlags & { output?: string; watch?: boolean }) => {
    await withClient(ctx, flags, async (client) => {
      const { kind, name } = parseTarget(args);
      if (flags.watch && kind) {
        await watch(ctx, client, kind, name, flags.output);
        return;
      }
      const { single, items } = await fetchObjects(client, kind, name);
      ctx.io.stdout(`${formatObjects(items, single, flags.output)}\n`);
    });
  });

  clientFlags(
    program
      .command('describe')
      .description('Show the details of objects of a running tilt')
      .argument('<target...>', 'KIND [NAME], or KIND/NAME'),
  ).action(async (args: string[], flags: ClientFlags) => {
    await withClient(ctx, flags, async (client) => {
      const { kind, name } = parseTarget(args);
      const { items } = await fetchObjects(client, kind, name);
      ctx.io.stdout(`${items.map(describe).join('\n\n\n')}\n`);
    });
  });
}

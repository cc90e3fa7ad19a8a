// The verbs that talk to a running tilt (get, describe, wait, trigger, logs,
// enable, disable, args, snapshot), run against a real `tilt up` of local
// resources, as a user runs them in another terminal.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, start } from './run.js';
import { cleanUp, freePort, project } from '../e2e/helpers.js';

const TILTFILE = `
config.define_string('x')
print('args:', config.parse().get('x', 'none'))
local_resource('hello', cmd='echo hello-build', serve_cmd='echo serving; sleep 1000',
    labels=['web'], readiness_probe=probe(exec=exec_action(['true']), period_secs=1))
local_resource('later', cmd='echo later-build; echo later-oops >&2',
    trigger_mode=TRIGGER_MODE_MANUAL, auto_init=False)
`;

let port: number;
let dir: string;
let stop: AbortController;
let up: ReturnType<typeof start>;
const at = () => ['--port', String(port)];

/** Polls a verb until its output satisfies `pred`. */
async function until(argv: string[], pred: (out: string) => boolean, what: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await run([...argv, ...at()]);
    if (pred(r.stdout)) return r;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting until ${what}; last: ${r.stdout}${r.stderr}\n${up.output()}`,
      );
    }
    await new Promise((res) => setTimeout(res, 200));
  }
}

beforeAll(async () => {
  port = await freePort();
  dir = project({ Tiltfile: TILTFILE });
  stop = new AbortController();
  up = start(['up', '-f', join(dir, 'Tiltfile'), '--port', String(port), '--stream'], stop.signal);
  await until(['get', 'uiresource'], (o) => /hello\s+ok\s+ok/.test(o), 'hello is up');
}, 60_000);

afterAll(async () => {
  stop.abort();
  await up.exit;
  await cleanUp();
});

describe('tilt get / describe', () => {
  it('lists resources as a table, JSON and YAML', async () => {
    const table = await run(['get', 'uiresource', ...at()]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+UPDATE\s+RUNTIME$/m);
    expect(table.stdout).toMatch(/^\(Tiltfile\)\s+ok\s+not_applicable$/m);
    expect(table.stdout).toMatch(/^hello\s+ok\s+ok$/m);
    expect(table.stdout).toMatch(/^later\s+none\s+/m);

    const wide = await run(['get', 'uiresources', '-o', 'wide', ...at()]);
    expect(wide.stdout).toMatch(/^hello\s+ok\s+ok\s+local\s+auto\s+<none>\s+<none>\s+web$/m);

    const json = JSON.parse((await run(['get', 'uiresource', '-o', 'json', ...at()])).stdout);
    expect(json.kind).toBe('List');
    expect(json.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual([
      '(Tiltfile)',
      'hello',
      'later',
    ]);
    const yaml = await run(['get', 'uiresource/hello', '-o', 'yaml', ...at()]);
    expect(yaml.stdout).toMatch(/^kind: UIResource$/m);
    expect(yaml.stdout).toMatch(/^ {2}name: hello$/m);
  });

  it('says which kinds there are, and what is not found', async () => {
    const none = await run(['get', ...at()]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(
      /You must specify the type of resource to get\. Known types: uiresource, uisession, /,
    );
    const missing = await run(['get', 'uiresource', 'nope', ...at()]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope');
    const session = JSON.parse((await run(['get', 'uisession', '-o', 'json', ...at()])).stdout);
    expect(session.items[0].status.tiltfileError).toBeNull();
  });

  it('watches objects with -w: the table, then a row per change, until interrupted', async () => {
    const abort = new AbortController();
    const watching = start(['get', 'uiresource', '-w', ...at()], abort.signal);
    const out = () => watching.output();
    const deadline = Date.now() + 20_000;
    const waitFor = async (re: RegExp) => {
      while (!re.test(out()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(out()).toMatch(re);
    };
    await waitFor(/^hello\s+ok\s+ok$/m);
    expect(out().match(/^NAME/gm)).toHaveLength(1);
    await run(['disable', 'hello', ...at()]);
    await waitFor(/^hello\s+disabled\s+disabled$/m);
    await run(['enable', 'hello', ...at()]);
    await waitFor(/hello\s+disabled\s+disabled\n(.*\n)*hello\s+ok\s+ok\n/);
    abort.abort();
    expect(await watching.exit).toBe(0);
    expect(out().match(/^NAME/gm)).toHaveLength(1); // one header, then rows
  });

  it('describes a resource', async () => {
    const r = await run(['describe', 'uiresource', 'hello', ...at()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Name: +hello$/m);
    expect(r.stdout).toMatch(/^Kind: +UIResource$/m);
    expect(r.stdout).toMatch(/^ {2}updateStatus: ok$/m);
  });
});

describe('tilt wait / trigger / logs', () => {
  it('waits for a condition, and times out on one that is not met', async () => {
    const ok = await run(['wait', '--for=condition=Ready', 'uiresource/hello', ...at()]);
    expect(ok.stdout).toBe('uiresource.tilt.dev/hello condition met\n');
    expect(ok.code).toBe(0);
    const late = await run([
      'wait',
      '--for=condition=Ready',
      'uiresource/later',
      '--timeout',
      '1s',
      ...at(),
    ]);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain(
      'error: timed out waiting for the condition on uiresources/later',
    );
  });

  it('triggers an update, and prints logs by resource, source and level', async () => {
    const t = await run(['trigger', 'later', ...at()]);
    expect(t.stdout).toBe('Successfully triggered update for resource: "later"\n');
    await until(['logs', 'later'], (o) => o.includes('│ later-build'), 'the update ran');
    const logs = await run(['logs', 'later', ...at()]);
    expect(logs.stdout).toMatch(/later +│ later-build/);
    expect(logs.stdout).not.toContain('hello-build');
    const runtime = await run(['logs', 'hello', '--source', 'runtime', ...at()]);
    expect(runtime.stdout).toContain('serving');
    expect(runtime.stdout).not.toContain('hello-build');
    const json = (await run(['logs', 'hello', '--json', ...at()])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(json.some((l) => l.resource === 'hello' && l.text.includes('serving'))).toBe(true);
    // -f keeps printing what comes next, until interrupted.
    const abort = new AbortController();
    const follow = start(['logs', '-f', 'later', ...at()], abort.signal);
    await run(['trigger', 'later', ...at()]);
    const deadline = Date.now() + 20_000;
    const builds = () => follow.output().split('│ later-build').length - 1;
    while (builds() < 2 && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 100));
    }
    abort.abort();
    expect(await follow.exit).toBe(0);
    expect(builds()).toBe(2); // the first update's line, then the new one
    // The Tiltfile's trigger runs it again.
    const loads = async () =>
      (await run(['logs', '(Tiltfile)', ...at()])).stdout.split('Loading Tiltfile at').length - 1;
    const before = await loads();
    expect((await run(['trigger', '(Tiltfile)', ...at()])).code).toBe(0);
    await until(
      ['logs', '(Tiltfile)'],
      (o) => o.split('Loading Tiltfile at').length - 1 > before,
      'the Tiltfile ran again',
    );
    const unknown = await run(['trigger', 'nope', ...at()]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('nope');
  });
});

describe('tilt disable / enable / args / snapshot', () => {
  it('disables and enables resources by name and label', async () => {
    expect((await run(['disable', '-l', 'web', ...at()])).code).toBe(0);
    await until(['get', 'uiresource'], (o) => /^hello\s+disabled\s+disabled$/m.test(o), 'disabled');
    expect((await run(['enable', 'hello', ...at()])).code).toBe(0);
    await until(['get', 'uiresource'], (o) => /^hello\s+ok\s+ok$/m.test(o), 'enabled again');
    const neither = await run(['enable', ...at()]);
    expect(neither.code).toBe(1);
  });

  it('changes the Tiltfile args, and writes a snapshot', async () => {
    // Everything after `--` is for the Tiltfile: the port comes before.
    expect((await run(['args', ...at(), '--', '--x', 'changed'])).code).toBe(0);
    await until(
      ['logs', '(Tiltfile)'],
      (o) => o.includes('args: changed'),
      'the Tiltfile ran again',
    );
    const session = JSON.parse((await run(['get', 'uisession', '-o', 'json', ...at()])).stdout);
    expect(session.items[0].status.tiltfileArgs).toEqual(['--x', 'changed']);
    const file = join(dir, 'snapshot.json');
    expect((await run(['snapshot', 'create', file, ...at()])).code).toBe(0);
    const snap = JSON.parse(readFileSync(file, 'utf8'));
    expect(
      snap.view.resources.map((r: { metadata: { name: string } }) => r.metadata.name),
    ).toContain('hello');
  });
});

describe('without a running tilt', () => {
  it('says so and how to start one', async () => {
    const free = await freePort();
    const r = await run(['get', 'uiresource', '--port', String(free)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `Error: No tilt is running at http://localhost:${free} (connection refused).\n` +
        'Start one with `tilt up`, or reach another with --host/--port (TILT_HOST/TILT_PORT).\n',
    );
  });
});

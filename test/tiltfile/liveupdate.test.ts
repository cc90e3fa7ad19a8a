import { afterEach, describe, expect, it } from 'vitest';
import { removeProjects, runTiltfile, runWithBuiltins } from './helpers.js';
import { None } from '../../src/starlark/values/value.js';
import { tiltBuiltin } from '../../src/tiltfile/args.js';
import {
  liveUpdateSteps,
  register,
  restartContainerDeprecationError,
  unusedLiveUpdateSteps,
  validateLiveUpdate,
  type LiveUpdateStep,
} from '../../src/tiltfile/builtins/liveupdate.js';

afterEach(removeProjects);

/**
 * Runs a Tiltfile with the live update builtins and `lu(steps)`, which hands
 * its argument to liveUpdateSteps as docker_build does; returns what each
 * lu() call gave.
 */
function convert(src: string) {
  const results: LiveUpdateStep[][] = [];
  const run = runWithBuiltins(src, (ctx, predeclared) => {
    register(ctx, predeclared);
    predeclared.set(
      'lu',
      tiltBuiltin(ctx, 'docker_build', ['live_update?'], (a) => {
        results.push(liveUpdateSteps(a.fn, 'live_update', a.get('live_update')));
        return None;
      }),
    );
  });
  return { ...run, results };
}

describe('live update step values', () => {
  it('have Tilt type names and descriptions', () => {
    const { error, logs, dir } = runTiltfile(`
s = sync('src', '/app/src')
r = run('make', trigger=['a.txt', 'b.txt'])
r2 = run(['echo', 'hello world'])
f = fall_back_on(['package.json', 'yarn.lock'])
c = restart_container()
i = initial_sync()
for x in [s, r, r2, f, c, i]:
    print(type(x))
    print(x)
exit()
`);
    expect(error).toBeNull();
    expect(logs).toEqual([
      'live_update_sync_step',
      `sync step: '${dir}/src'->'/app/src'`,
      'live_update_run_step',
      'run step: "make" (triggers: a.txt; b.txt)',
      'live_update_run_step',
      'run step: "echo \\"hello world\\""',
      'live_update_fall_back_on_step',
      `fall_back_on step: [${dir}/package.json ${dir}/yarn.lock]'`,
      'live_update_restart_container_step',
      'restart_container step',
      'live_update_initial_sync_step',
      'initial_sync step',
    ]);
  });

  it('are truthy according to their contents', () => {
    const { logs } = runTiltfile(`
print(bool(run('')), bool(run('x')), bool(fall_back_on([])), bool(restart_container()))
exit()
`);
    expect(logs).toEqual(['False True False True']);
  });

  it('check their arguments', () => {
    expect(runTiltfile(`sync('a')`).message).toBe('sync: missing argument for remote_path');
    expect(runTiltfile(`sync(1, '/a')`).message).toBe(
      'sync: for parameter local_path: got int, want string',
    );
    expect(runTiltfile(`restart_container(1)`).message).toBe(
      'restart_container: got 1 arguments, want at most 0',
    );
    expect(runTiltfile(`initial_sync(x=1)`).message).toBe(
      'initial_sync: unexpected keyword argument "x"',
    );
    expect(runTiltfile(`run('make', trigger=[4])`).message).toBe(
      "run cmd 'make' triggers contained value '4' of type 'int'. it may only contain strings",
    );
    expect(runTiltfile(`run(['go', 'build'], trigger='a', echo_off=1)`).message).toBe(
      'run: for parameter echo_off: got int, want bool',
    );
    expect(runTiltfile(`run(3)`).message).toBe(
      'a command must be a string or list of strings. found starlark.Int',
    );
    expect(runTiltfile(`run(['a', 1])`).message).toBe(
      "a command must be a string or a list of strings: '1' is a starlark.Int, not a string",
    );
  });
});

describe('liveUpdateSteps', () => {
  it('converts steps into typed data with absolute local paths', () => {
    const { results, error, dir, ctx } = convert(`
lu([
    initial_sync(),
    fall_back_on('package.json'),
    sync('./src', '/app/src'),
    sync('/abs/lib', '/app/lib'),
    run('npm install', trigger=['package.json', 'sub/yarn.lock']),
    run(['go', 'build'], echo_off=True),
    restart_container(),
])
`);
    expect(error).toBeUndefined();
    expect(results).toEqual([
      [
        { type: 'initial_sync' },
        { type: 'fall_back_on', paths: [`${dir}/package.json`] },
        { type: 'sync', localPath: `${dir}/src`, remotePath: '/app/src' },
        { type: 'sync', localPath: '/abs/lib', remotePath: '/app/lib' },
        {
          type: 'run',
          cmd: ['sh', '-c', 'npm install'],
          triggers: [`${dir}/package.json`, `${dir}/sub/yarn.lock`],
          echoOff: false,
        },
        { type: 'run', cmd: ['go', 'build'], triggers: [], echoOff: true },
        { type: 'restart_container' },
      ],
    ]);
    expect(unusedLiveUpdateSteps(ctx)).toBeUndefined();
  });

  it('accepts None, an empty list, a tuple and a single step', () => {
    const { results, error } = convert(`
lu()
lu(None)
lu([])
lu((sync('a', '/a'),))
lu(run('x'))
`);
    expect(error).toBeUndefined();
    expect(results.map((r) => r.map((s) => s.type))).toEqual([[], [], [], ['sync'], ['run']]);
  });

  it.each([
    [
      `[sync('a', '/a'), initial_sync()]`,
      'initial_sync must appear at most once, at the start of the list',
    ],
    [
      `[initial_sync(), initial_sync(), sync('a', '/a')]`,
      'initial_sync must appear at most once, at the start of the list',
    ],
    [
      `[fall_back_on('x'), initial_sync(), sync('a', '/a')]`,
      'initial_sync must appear at most once, at the start of the list',
    ],
    [
      `[sync('a', '/a'), fall_back_on('x')]`,
      'fall_back_on steps must appear at the start of the list',
    ],
    [`[run('x'), fall_back_on('x')]`, 'fall_back_on steps must appear at the start of the list'],
    [`[run('x'), sync('a', '/a')]`, 'all sync steps must precede all run steps'],
    [`[restart_container(), sync('a', '/a')]`, 'restart container is only valid as the last step'],
    [
      `[sync('a', '/a'), restart_container(), run('x')]`,
      'restart container is only valid as the last step',
    ],
  ])('rejects the order %s', (steps, msg) => {
    const { error, backtrace } = convert(`lu(${steps})`);
    expect(error).toBe(`live_update: ${msg}`);
    expect(backtrace).toContain(`Error in docker_build: live_update: ${msg}`);
  });

  it('allows several fall_back_on steps and restart_container repeated at the end', () => {
    const { error, results } = convert(
      `lu([fall_back_on('a'), fall_back_on('b'), sync('.', '/app'), restart_container(), restart_container()])`,
    );
    expect(error).toBeUndefined();
    expect(results[0].map((s) => s.type)).toEqual([
      'fall_back_on',
      'fall_back_on',
      'sync',
      'restart_container',
      'restart_container',
    ]);
  });

  it('rejects values that are not steps', () => {
    expect(convert(`lu(['quu', sync('a', '/a')])`).error).toBe(
      `live_update: 'steps' must be a list of live update steps - got value '"quu"' of type 'string'`,
    );
    expect(convert(`lu(4)`).error).toBe(
      `live_update: 'steps' must be a list of live update steps - got value '4' of type 'int'`,
    );
  });

  it('requires absolute POSIX sync destinations', () => {
    expect(convert(`lu([sync('a', 'rel/dir')])`).error).toBe(
      'live_update: spec.syncs[0]: Invalid value: "rel/dir": sync destination is not absolute',
    );
    expect(convert(`lu([sync('a', '/ok'), sync('b', 'x'), sync('c', 'C:\\\\y')])`).error).toBe(
      'live_update: [spec.syncs[1]: Invalid value: "x": sync destination is not absolute, ' +
        'spec.syncs[2]: Invalid value: "C:\\\\y": sync destination is not absolute]',
    );
  });

  it('requires at least one sync or run', () => {
    const msg =
      'live_update: spec.syncs: Invalid value: []v1alpha1.LiveUpdateSync(nil): must contain at least 1 sync or 1 exec to run on live update';
    expect(convert(`lu([fall_back_on('x')])`).error).toBe(msg);
    expect(convert(`lu([initial_sync(), restart_container()])`).error).toBe(msg);
    expect(convert(`lu([run('x')])`).error).toBeUndefined();
  });
});

describe('unused live update steps', () => {
  it('are reported with where they were created', () => {
    const { ctx, error, dir } = runTiltfile(`
s = sync('src', '/app')
lu = [
  run('make'),
]
`);
    expect(error).toBeNull();
    expect(unusedLiveUpdateSteps(ctx)).toBe(
      'found 2 live_update steps that were created but not used in a live_update:\n' +
        `${dir}/Tiltfile:2:9: value 'sync step: '${dir}/src'->'/app'' of type 'live_update_sync_step'\n` +
        `\t${dir}/Tiltfile:4:6: value 'run step: "make"' of type 'live_update_run_step'`,
    );
  });

  it('are only those not passed to a live_update', () => {
    const { ctx, error, dir } = convert(`
used = [sync('a', '/a')]
unused = restart_container()
lu(used)
`);
    expect(error).toBeUndefined();
    expect(unusedLiveUpdateSteps(ctx)).toBe(
      'found 1 live_update steps that were created but not used in a live_update:\n' +
        `${dir}/Tiltfile:3:27: value 'restart_container step' of type 'live_update_restart_container_step'`,
    );
  });

  it('are none when no step was created', () => {
    expect(unusedLiveUpdateSteps(runTiltfile('x = 1').ctx)).toBeUndefined();
  });

  it('resolve paths against the directory of the file that created them', () => {
    const { ctx, error, dir } = runTiltfile(`load('./sub/steps.star', 'steps')`, {
      files: {
        'sub/steps.star': `steps = [sync('web', '/srv'), fall_back_on('web/package.json')]\n`,
      },
    });
    expect(error).toBeNull();
    const msg = unusedLiveUpdateSteps(ctx)!;
    expect(msg).toContain(`'sync step: '${dir}/sub/web'->'/srv''`);
    expect(msg).toContain(`'fall_back_on step: [${dir}/sub/web/package.json]''`);
  });
});

describe('validateLiveUpdate', () => {
  const steps: LiveUpdateStep[] = [
    { type: 'fall_back_on', paths: ['/p/app/package.json'] },
    { type: 'sync', localPath: '/p/app/src', remotePath: '/src' },
    { type: 'sync', localPath: '/p/app', remotePath: '/app' },
    { type: 'run', cmd: ['make'], triggers: [], echoOff: false },
  ];

  it('accepts steps under the watched paths', () => {
    expect(validateLiveUpdate(steps, ['/p/app'])).toBeUndefined();
    expect(validateLiveUpdate(steps, ['/other', '/p/'])).toBeUndefined();
    expect(validateLiveUpdate(steps, ['/'])).toBeUndefined();
  });

  it('reports a sync source outside them', () => {
    expect(validateLiveUpdate(steps, ['/p/app/src', '/q'])).toBe(
      "sync step source '/p/app' is not a child of any watched filepaths ([/p/app/src /q])",
    );
    expect(validateLiveUpdate(steps, ['/p/ap'])).toBe(
      "sync step source '/p/app/src' is not a child of any watched filepaths ([/p/ap])",
    );
    expect(validateLiveUpdate(steps, [])).toBe(
      "sync step source '/p/app/src' is not a child of any watched filepaths ([])",
    );
  });

  it('reports a fall_back_on path outside them', () => {
    const s: LiveUpdateStep[] = [
      { type: 'fall_back_on', paths: ['/p/app/a', '/p/lib/b'] },
      { type: 'sync', localPath: '/p/app', remotePath: '/app' },
    ];
    expect(validateLiveUpdate(s, ['/p/app'])).toBe(
      "fall_back_on paths '/p/lib/b' is not a child of any watched filepaths ([/p/app])",
    );
  });
});

describe('restartContainerDeprecationError', () => {
  it('names the resources', () => {
    expect(restartContainerDeprecationError(['a', 'b'])).toBe(
      'Found `restart_container()` LiveUpdate step in resource(s): [a, b]. `restart_container()`  has been ' +
        'deprecated for k8s resources. We recommend the restart_process extension: ' +
        'https://github.com/tilt-dev/tilt-extensions/tree/master/restart_process. For more information, see ' +
        'https://docs.tilt.dev/live_update_reference.html#restarting-your-process',
    );
  });
});

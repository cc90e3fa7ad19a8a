import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeProjects, runTiltfile, runWithBuiltins } from './helpers.js';
import { None } from '../../src/starlark/values/value.js';
import { tiltBuiltin } from '../../src/tiltfile/args.js';
import {
  FEATURE_FLAGS,
  TILT_COMPATIBLE_VERSION,
  linksArg,
  probeArg,
  register,
  resourceTriggerMode,
  settingsOf,
  triggerModeArg,
} from '../../src/tiltfile/builtins/settings.js';
import { parseGoDuration } from '../../src/tiltfile/builtins/settings-go.js';
import {
  compareSemVer,
  parseSemVer,
  parseSemVerRange,
} from '../../src/tiltfile/builtins/settings-semver.js';

afterEach(removeProjects);

/** Runs a Tiltfile with all Tiltfile builtins; `settings` are what it set. */
function tiltfile(src: string, files: Record<string, string> = {}) {
  const r = runTiltfile(src, { files });
  return { ...r, settings: settingsOf(r.ctx) };
}

/** The error message of a Tiltfile that must fail. */
function failure(src: string): string {
  const r = tiltfile(src);
  expect(r.error).not.toBeNull();
  return r.message!;
}

/**
 * Runs a Tiltfile with the settings builtins and `res(...)`, a resource-like
 * builtin whose trigger_mode, links and readiness_probe go through the
 * argument helpers; returns what each res() call gave.
 */
function resource(src: string) {
  const results: unknown[] = [];
  const { error } = runWithBuiltins(src, (ctx, predeclared) => {
    register(ctx, predeclared);
    predeclared.set(
      'res',
      tiltBuiltin(ctx, 'local_resource', ['trigger_mode?', 'links?', 'readiness_probe?'], (a) => {
        const mode = triggerModeArg(a, 'trigger_mode');
        results.push({
          triggerMode: mode,
          effective: resourceTriggerMode(ctx, mode),
          links: linksArg(a, 'links'),
          probe: probeArg(a, 'readiness_probe'),
        });
        return None;
      }),
    );
  });
  return { results, error };
}

describe('defaults', () => {
  it('apply when no settings builtin is called', () => {
    const { settings } = tiltfile('');
    expect(settings).toEqual({
      maxParallelUpdates: 3,
      k8sUpsertTimeoutSecs: 30,
      suppressUnusedImageWarnings: [],
      k8sServerSideApply: 'auto',
      watchIgnores: [],
      ci: { timeoutMs: 1_800_000, readinessTimeoutMs: 300_000 },
      scrubSecrets: true,
      checkUpdates: true,
      analytics: 'default',
      dockerPrune: { enabled: true, maxAgeMins: 360, numBuilds: 0, intervalHrs: 1, keepRecent: 2 },
      triggerMode: 'TRIGGER_MODE_AUTO',
      features: Object.fromEntries(Object.entries(FEATURE_FLAGS).map(([k, v]) => [k, v.enabled])),
    });
  });
});

describe('update_settings', () => {
  it('records what is passed and keeps the rest', () => {
    const { settings, error } = tiltfile(`
update_settings(max_parallel_updates=5, suppress_unused_image_warnings='a')
update_settings(k8s_upsert_timeout_secs=60, suppress_unused_image_warnings=['b', 'c'], k8s_server_side_apply='false')
update_settings(max_parallel_updates=None)
`);
    expect(error).toBeNull();
    expect(settings.maxParallelUpdates).toBe(5);
    expect(settings.k8sUpsertTimeoutSecs).toBe(60);
    expect(settings.suppressUnusedImageWarnings).toEqual(['a', 'b', 'c']);
    expect(settings.k8sServerSideApply).toBe('false');
  });

  it('validates its arguments with Tilt messages', () => {
    expect(failure('update_settings(max_parallel_updates=0)')).toBe(
      'max number of parallel updates must be >= 1(got: 0)',
    );
    expect(failure('update_settings(k8s_upsert_timeout_secs=0)')).toBe(
      'minimum k8s upsert timeout is 1s; got 0s',
    );
    expect(failure("update_settings(max_parallel_updates='3')")).toBe(
      'update_settings: for parameter "max_parallel_updates": got starlark.String, want int',
    );
    expect(failure('update_settings(k8s_upsert_timeout_secs=[])')).toBe(
      'update_settings: for parameter "k8s_upsert_timeout_secs": got *starlark.List, want int',
    );
    expect(failure("update_settings(k8s_server_side_apply='yes')")).toBe(
      'update_settings: k8s_server_side_apply must be "true", "false", or "auto"; got "yes"',
    );
    expect(failure('update_settings(suppress_unused_image_warnings=1)')).toBe(
      'update_settings: for parameter suppress_unused_image_warnings: value should be a string or List or Tuple of strings, but is of type int',
    );
    expect(failure("update_settings(suppress_unused_image_warnings=['a', True])")).toBe(
      'update_settings: for parameter suppress_unused_image_warnings: list should contain only strings, but element "True" was of type bool',
    );
    expect(failure('update_settings(max_parallel_updates=1, foo=2)')).toBe(
      'update_settings: unexpected keyword argument "foo"',
    );
  });

  it('shows errors in a backtrace', () => {
    const { shown } = tiltfile('\nupdate_settings(max_parallel_updates=-1)\n');
    expect(shown).toMatch(/Tiltfile:2:16: in <toplevel>\nError in update_settings: max number/);
  });
});

describe('watch_settings', () => {
  it('adds ignores relative to the calling file', () => {
    const { settings, error, dir } = tiltfile(
      `
watch_settings(ignore='*.log')
watch_settings(ignore=[])
watch_settings()
load('./sub/Tiltfile', 'x')
`,
      { 'sub/Tiltfile': "watch_settings(ignore=['tmp/', 'dist'])\nx = 1\n" },
    );
    expect(error).toBeNull();
    expect(settings.watchIgnores).toEqual([
      { basePath: dir, patterns: ['*.log'] },
      { basePath: join(dir, 'sub'), patterns: ['tmp/', 'dist'] },
    ]);
  });
});

describe('ci_settings', () => {
  it('parses durations', () => {
    const { settings, error } = tiltfile(
      "ci_settings(k8s_grace_period='1m30s', timeout='1h', readiness_timeout='2.5s')",
    );
    expect(error).toBeNull();
    expect(settings.ci).toEqual({
      k8sGracePeriodMs: 90_000,
      timeoutMs: 3_600_000,
      readinessTimeoutMs: 2500,
    });
  });

  it('keeps defaults for what is not passed', () => {
    const { settings } = tiltfile("ci_settings(k8s_grace_period='10s')");
    expect(settings.ci).toEqual({
      k8sGracePeriodMs: 10_000,
      timeoutMs: 1_800_000,
      readinessTimeoutMs: 300_000,
    });
  });

  it('reports bad durations with Go messages', () => {
    expect(failure("ci_settings(timeout='30')")).toBe(
      'ci_settings: for parameter timeout: time: missing unit in duration "30"',
    );
    expect(failure("ci_settings(readiness_timeout='5x')")).toBe(
      'ci_settings: for parameter readiness_timeout: time: unknown unit "x" in duration "5x"',
    );
    expect(failure("ci_settings(k8s_grace_period='')")).toBe(
      'ci_settings: for parameter k8s_grace_period: time: invalid duration ""',
    );
    expect(failure('ci_settings(timeout=30)')).toBe(
      'ci_settings: for parameter timeout: Expected string. Got: int',
    );
  });
});

describe('parseGoDuration', () => {
  it.each([
    ['0', 0],
    ['5s', 5000],
    ['-1.5h', -5_400_000],
    ['+2m', 120_000],
    ['1h2m3s4ms', 3_723_004],
    ['300ms', 300],
    ['1500us', 1.5],
    ['1500\u00b5s', 1.5],
    ['2000000ns', 2],
    ['.5s', 500],
    ['1.s', 1000],
  ])('%s', (s, ms) => {
    expect(parseGoDuration(s)).toBeCloseTo(ms, 9);
  });

  it.each([
    ['', 'time: invalid duration ""'],
    ['-', 'time: invalid duration "-"'],
    ['s', 'time: invalid duration "s"'],
    ['.s', 'time: invalid duration ".s"'],
    ['1', 'time: missing unit in duration "1"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['1s2', 'time: missing unit in duration "1s2"'],
    ['3000000h', 'time: invalid duration "3000000h"'],
  ])('rejects %j', (s, msg) => {
    expect(() => parseGoDuration(s)).toThrow(msg);
  });
});

describe('secret, version, analytics and docker prune settings', () => {
  it('secret_settings', () => {
    expect(tiltfile('secret_settings(disable_scrub=True)').settings.scrubSecrets).toBe(false);
    expect(tiltfile('secret_settings()').settings.scrubSecrets).toBe(true);
    expect(failure("secret_settings('yes')")).toBe(
      'secret_settings: for parameter disable_scrub: got string, want bool',
    );
  });

  it('version_settings keeps check_updates when only a constraint is given', () => {
    const { settings, error } = tiltfile(`
version_settings(check_updates=False)
version_settings(constraint='*'.replace('*', '>=0.0.1'))
`);
    expect(error).toBeNull();
    expect(settings.checkUpdates).toBe(false);
  });

  it('version_settings checks the running version against the constraint', () => {
    const version = TILT_COMPATIBLE_VERSION;
    expect(tiltfile(`version_settings(constraint='>=0.22.2')`).error).toBeNull();
    expect(tiltfile(`version_settings(constraint='=${version}')`).error).toBeNull();
    expect(tiltfile(`version_settings(constraint='<=${version} || >99.0.0')`).error).toBeNull();
    expect(failure(`version_settings(constraint='>99.0.0')`)).toBe(
      `you are running Tilt version ${version}, which doesn't match the version constraint specified in your Tiltfile: '>99.0.0'`,
    );
    expect(failure(`version_settings(constraint='latest')`)).toBe(
      'error parsing version constraint: Could not get version from string: "latest"',
    );
    expect(failure(`version_settings(constraint='>=1.2')`)).toBe(
      'error parsing version constraint: Could not parse Range ">=1.2": Could not parse version "1.2" in ">=1.2": No Major.Minor.Patch elements found',
    );
  });

  it('analytics_settings', () => {
    expect(tiltfile('analytics_settings(True)').settings.analytics).toBe('opt-in');
    expect(tiltfile('analytics_settings(enable=False)').settings.analytics).toBe('opt-out');
    expect(failure('analytics_settings()')).toBe('analytics_settings: missing argument for enable');
  });

  it('docker_prune_settings', () => {
    const { settings } = tiltfile(
      'docker_prune_settings(disable=False, max_age_mins=60, num_builds=5, keep_recent=4)',
    );
    expect(settings.dockerPrune).toEqual({
      enabled: true,
      maxAgeMins: 60,
      numBuilds: 5,
      intervalHrs: 1,
      keepRecent: 4,
    });
    expect(
      tiltfile('docker_prune_settings(disable=True, interval_hrs=3)').settings.dockerPrune,
    ).toEqual({
      enabled: false,
      maxAgeMins: 360,
      numBuilds: 0,
      intervalHrs: 3,
      keepRecent: 2,
    });
    expect(failure('docker_prune_settings(num_builds=2, interval_hrs=1)')).toBe(
      "can't specify both 'prune every X builds' and 'prune every Y hours'; please pass only one of `num_builds` and `interval_hrs`",
    );
    expect(failure("docker_prune_settings(keep_recent='2')")).toBe('got string, want int');
  });
});

describe('semver ranges', () => {
  const v = (s: string) => parseSemVer(s);
  const inRange = (r: string, s: string) => parseSemVerRange(r)(v(s));

  it.each([
    ['>=0.5.4', false],
    ['<=0.5.2', false],
    ['<=0.3.0', false],
    ['>=0.5.0 <0.5.3', false],
    ['=0.5.3', true],
    ['0.5.3', true],
    ['== 0.5.3', true],
    ['>0.4.1', true],
    ['0.5.x', true],
    ['0.x', true],
    ['1.x', false],
    ['!=0.5.3', false],
    ['!0.5.x', false],
    ['>0.5.x', false],
    ['<=0.5.x', true],
    ['<0.5.x', false],
    ['>= 0.5.0 < 0.6.0', true],
    ['<0.1.0 || >0.5.0', true],
    ['<0.1.0 || >0.6.0', false],
  ])('0.5.3 in %s: %s', (r, want) => {
    expect(inRange(r, '0.5.3')).toBe(want);
  });

  it('orders prereleases before releases', () => {
    expect(compareSemVer(v('1.0.0-alpha'), v('1.0.0'))).toBe(-1);
    expect(compareSemVer(v('1.0.0-alpha.1'), v('1.0.0-alpha.beta'))).toBe(-1);
    expect(compareSemVer(v('1.0.0-alpha'), v('1.0.0-alpha.1'))).toBe(-1);
    expect(compareSemVer(v('1.0.0-2'), v('1.0.0-10'))).toBe(-1);
    expect(compareSemVer(v('1.0.0+build'), v('1.0.0'))).toBe(0);
    expect(compareSemVer(v('1.10.0'), v('1.9.9'))).toBe(1);
  });

  it('rejects invalid versions and ranges', () => {
    expect(() => parseSemVer('')).toThrow('Version string empty');
    expect(() => parseSemVer('1.2')).toThrow('No Major.Minor.Patch elements found');
    expect(() => parseSemVer('01.2.3')).toThrow(
      'Major number must not contain leading zeroes "01"',
    );
    expect(() => parseSemVer('1.a.3')).toThrow('Invalid character(s) found in minor number "a"');
    expect(() => parseSemVer('1.2.3-')).toThrow('Prerelease is empty');
    expect(() => parseSemVerRange('|| 1.0.0')).toThrow("First element in range is '||'");
    expect(() => parseSemVerRange('1.0.0 ||')).toThrow("Last element in range is '||'");
    expect(() => parseSemVerRange('~1.0.0')).toThrow(
      'Could not parse Range "~1.0.0": Could not parse comparator "~" in "~1.0.0"',
    );
  });
});

describe('trigger_mode', () => {
  it('sets the default trigger mode once', () => {
    const { settings, error, dir } = tiltfile('trigger_mode(TRIGGER_MODE_MANUAL)');
    expect(error).toBeNull();
    expect(settings.triggerMode).toBe('TRIGGER_MODE_MANUAL');
    expect(settings.triggerModeCalledAt).toBe(`${dir}/Tiltfile:1:13`);
  });

  it('can only be called once', () => {
    const { message, dir } = tiltfile(`
trigger_mode(TRIGGER_MODE_MANUAL)
trigger_mode(TRIGGER_MODE_AUTO)
`);
    expect(message).toBe(
      `trigger_mode can only be called once. It was already called at ${dir}/Tiltfile:2:13`,
    );
  });

  it('takes only the constants', () => {
    expect(failure('trigger_mode(1)')).toBe(
      'trigger_mode: for parameter trigger_mode: got int, want TriggerMode',
    );
    expect(failure('trigger_mode()')).toBe('trigger_mode: missing argument for trigger_mode');
  });

  it('constants print as their names and compare equal to themselves', () => {
    const { logs } = tiltfile(`
print(TRIGGER_MODE_AUTO, type(TRIGGER_MODE_MANUAL))
print(TRIGGER_MODE_AUTO == TRIGGER_MODE_AUTO, TRIGGER_MODE_AUTO == TRIGGER_MODE_MANUAL)
print({TRIGGER_MODE_AUTO: 1}[TRIGGER_MODE_AUTO])
`);
    expect(logs).toEqual(['TRIGGER_MODE_AUTO TriggerMode', 'True False', '1']);
  });

  it('triggerModeArg gives the resource mode, falling back to the default', () => {
    const { results, error } = resource(`
res()
res(trigger_mode=TRIGGER_MODE_MANUAL)
trigger_mode(TRIGGER_MODE_MANUAL)
res()
res(trigger_mode=TRIGGER_MODE_AUTO)
`);
    expect(error).toBeUndefined();
    expect(results.map((r) => r as { triggerMode?: string; effective: string })).toMatchObject([
      { triggerMode: undefined, effective: 'TRIGGER_MODE_AUTO' },
      { triggerMode: 'TRIGGER_MODE_MANUAL', effective: 'TRIGGER_MODE_MANUAL' },
      { triggerMode: undefined, effective: 'TRIGGER_MODE_MANUAL' },
      { triggerMode: 'TRIGGER_MODE_AUTO', effective: 'TRIGGER_MODE_AUTO' },
    ]);
    expect(resource(`res(trigger_mode='manual')`).error).toBe(
      'local_resource: for parameter trigger_mode: got string, want TriggerMode',
    );
  });
});

describe('features', () => {
  it('enable and disable known flags', () => {
    const { settings, error } = tiltfile(`
enable_feature('disable_resources')
disable_feature('snapshots')
`);
    expect(error).toBeNull();
    expect(settings.features.disable_resources).toBe(true);
    expect(settings.features.snapshots).toBe(false);
  });

  it('fail on unknown flags and warn on obsolete ones', () => {
    expect(failure("enable_feature('no_such_flag')")).toBe('Unknown feature flag: no_such_flag');
    expect(failure("disable_feature('toString')")).toBe('Unknown feature flag: toString');
    const { error, ctx, settings } = tiltfile(
      "enable_feature('events')\ndisable_feature('labels')",
    );
    expect(error).toBeNull();
    expect(ctx.warnings).toEqual([
      'Obsolete feature flag: events',
      'Obsolete feature flag: labels',
    ]);
    expect(settings.features.labels).toBe(true);
  });
});

describe('link', () => {
  it('makes a link value with a scheme', () => {
    const { logs, error } = tiltfile(`
l = link('localhost:4000', 'web')
print(l.url)
print(l.name)
print(l)
print(type(l))
print(link('www.zombo.com').url, link('ws://www.zombo.com').url, link('HTTPS://x.dev/a?b=c').url)
print(link('example.com/path', name='docs') == link('example.com/path', name='docs'))
`);
    expect(error).toBeNull();
    expect(logs).toEqual([
      'localhost:4000',
      'web',
      'link(name = "web", url = "localhost:4000")',
      'struct',
      'http://www.zombo.com ws://www.zombo.com https://x.dev/a?b=c',
      'True',
    ]);
  });

  it('is read-only', () => {
    expect(failure(`l = link('localhost:4000', 'web')\nl.url = 'XXX'`)).toBe(
      "can't assign to .url field of struct",
    );
    expect(failure(`link('a.com').nam`)).toBe(
      '"link" struct has no .nam attribute (did you mean .name?)',
    );
    expect(failure(`probe(exec=exec_action([])).foo`)).toBe('"Probe" struct has no .foo attribute');
  });

  it('validates URLs', () => {
    expect(failure(`link('')`)).toBe('validating URL "": url empty');
    expect(failure(`link('127.0.0.1:8000')`)).toBe(
      'validating URL "127.0.0.1:8000": parse "127.0.0.1:8000": first path segment in URL cannot contain colon',
    );
    expect(failure(`link(':8000')`)).toBe(
      'validating URL ":8000": parse ":8000": missing protocol scheme',
    );
    expect(failure(`link('http://host:port/')`)).toBe(
      'validating URL "http://host:port/": parse "http://host:port/": invalid port ":port" after host',
    );
  });

  it('linksArg takes strings, links and lists of them', () => {
    const { results, error } = resource(`
res(links='localhost:8000')
res(links=link('http://a.dev', 'A'))
res(links=['b.dev/x', link('c.dev', 'C')])
res(links=[])
`);
    expect(error).toBeUndefined();
    expect(results.map((r) => (r as { links: unknown }).links)).toEqual([
      [{ url: 'localhost:8000', name: '' }],
      [{ url: 'http://a.dev', name: 'A' }],
      [
        { url: 'http://b.dev/x', name: '' },
        { url: 'http://c.dev', name: 'C' },
      ],
      [],
    ]);
    expect(resource('res(links=[4])').error).toBe(
      'local_resource: for parameter links: `Want a string, a link, or a sequence of these; found 4 (type: starlark.Int)',
    );
    expect(resource("res(links=[''])").error).toBe(
      'local_resource: for parameter links: validating URL "": url empty',
    );
  });
});

describe('probe', () => {
  it('records the options and the action', () => {
    const { logs, error } = tiltfile(`
p = probe(initial_delay_secs=123, timeout_secs=456, period_secs=789, success_threshold=987,
          failure_threshold=654, exec=exec_action([]), http_get=None)
print(p.initial_delay_secs, p.timeout_secs, p.period_secs, p.success_threshold, p.failure_threshold)
print("exec:", p.exec)
print("http_get:", p.http_get)
print("tcp_socket:", p.tcp_socket)
print(type(p), type(p.exec))
h = probe(http_get=http_get_action(host="example.com", port=8888, scheme='https', path='/status'))
print(h.http_get.host, h.http_get.port, h.http_get.scheme, h.http_get.path, type(h.http_get))
t = probe(tcp_socket=tcp_socket_action(1234, "localhost"))
print(t.tcp_socket.host, t.tcp_socket.port, type(t.tcp_socket))
print(probe(exec=exec_action(command=["sleep", "60"])).exec.command)
`);
    expect(error).toBeNull();
    expect(logs).toEqual([
      '123 456 789 987 654',
      'exec: ExecAction(command = [])',
      'http_get: None',
      'tcp_socket: None',
      'Probe ExecAction',
      'example.com 8888 https /status HTTPGetAction',
      'localhost 1234 TCPSocketAction',
      '["sleep", "60"]',
    ]);
  });

  it('requires exactly one action', () => {
    const msg = 'exactly one of exec, http_get, or tcp_socket must be specified';
    expect(failure('probe()')).toBe(msg);
    expect(
      failure('probe(exec=exec_action([]), http_get=http_get_action(8000), tcp_socket=None)'),
    ).toBe(msg);
  });

  it('checks argument types', () => {
    expect(failure("probe(exec='ls')")).toBe(
      'probe: for parameter exec: got starlark.String, want ExecAction',
    );
    expect(failure('probe(http_get=exec_action([]))')).toBe(
      'probe: for parameter http_get: got probe.ExecAction, want HTTPGetAction',
    );
    expect(failure("probe(timeout_secs='1', exec=exec_action([]))")).toBe(
      'probe: for parameter timeout_secs: got string, want int',
    );
    expect(failure('probe(period_secs=3000000000, exec=exec_action([]))')).toBe(
      'probe: for parameter period_secs: value out of range for int32: 3000000000',
    );
    expect(failure("exec_action('ls')")).toBe(
      `exec_action: for parameter command: '"ls"' is a starlark.String, not a sequence`,
    );
    expect(failure("exec_action(['ls', 1])")).toBe(
      "exec_action: for parameter command: '1' is a starlark.Int, not a string",
    );
    expect(failure("http_get_action('80')")).toBe(
      'http_get_action: for parameter port: got string, want int',
    );
    expect(failure('tcp_socket_action()')).toBe('tcp_socket_action: missing argument for port');
  });

  it('probeArg gives the spec with defaults for unset timings', () => {
    const { results, error } = resource(`
res(readiness_probe=probe(http_get=http_get_action(8080, path='/healthz')))
res(readiness_probe=probe(period_secs=2, failure_threshold=5, initial_delay_secs=1,
                          tcp_socket=tcp_socket_action(5432, host='db')))
res(readiness_probe=probe(exec=exec_action(['true']), timeout_secs=3, success_threshold=2))
res()
`);
    expect(error).toBeUndefined();
    expect(results.map((r) => (r as { probe: unknown }).probe)).toEqual([
      {
        initialDelaySecs: 0,
        timeoutSecs: 1,
        periodSecs: 10,
        successThreshold: 1,
        failureThreshold: 3,
        httpGet: { host: 'localhost', port: 8080, scheme: 'http', path: '/healthz' },
      },
      {
        initialDelaySecs: 1,
        timeoutSecs: 1,
        periodSecs: 2,
        successThreshold: 1,
        failureThreshold: 5,
        tcpSocket: { host: 'db', port: 5432 },
      },
      {
        initialDelaySecs: 0,
        timeoutSecs: 3,
        periodSecs: 10,
        successThreshold: 2,
        failureThreshold: 3,
        exec: { command: ['true'] },
      },
      undefined,
    ]);
    expect(resource("res(readiness_probe='http://x')").error).toBe(
      'local_resource: for parameter readiness_probe: got starlark.String, want Probe',
    );
    expect(resource('res(readiness_probe=exec_action([]))').error).toBe(
      'local_resource: for parameter readiness_probe: got probe.ExecAction, want Probe',
    );
  });
});

describe('warn and exit', () => {
  it('warn adds a warning', () => {
    const { ctx, error, logs } = tiltfile("warn('careful')\nwarn(msg='again')");
    expect(error).toBeNull();
    expect(ctx.warnings).toEqual(['careful', 'again']);
    expect(logs).toEqual(['WARNING: careful', 'WARNING: again']);
  });

  it('exit stops the Tiltfile without failing it', () => {
    const { error, logs, settings } = tiltfile(`
update_settings(max_parallel_updates=7)
exit()
update_settings(max_parallel_updates=9)
`);
    expect(error).toBeNull();
    expect(logs).toEqual([]);
    expect(settings.maxParallelUpdates).toBe(7);
  });

  it('exit logs the value it is given, as Tilt prints it', () => {
    expect(tiltfile("exit('bye')\nfail('unreachable')").logs).toEqual(['"bye"']);
    expect(tiltfile('exit(1)').logs).toEqual(['1']);
    expect(tiltfile('exit(None)').logs).toEqual([]);
  });

  it('exit in a loaded file stops everything', () => {
    const r = tiltfile("load('./lib.star', 'x')\nfail('unreachable')", {
      'lib.star': "def f():\n    exit('from lib')\nf()\nx = 1\n",
    });
    expect(r.error).toBeNull();
    expect(r.logs).toEqual(['"from lib"']);
  });
});

import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resultJSON } from '../../src/tiltfile/result-json.js';
import { filterHelmTestYAML, parseHelmVersion } from '../../src/tiltfile/builtins/k8s-render.js';
import { loadProjectAt, removeProjects, writeProject, type LoadedProject } from './helpers.js';

afterEach(removeProjects);

type Loaded = LoadedProject & { bin: string };

/** `cat`, for the fake tools, which run with nothing else on their PATH. */
const CAT = (process.env.PATH ?? '')
  .split(delimiter)
  .map((d) => join(d, 'cat'))
  .find((p) => existsSync(p))!;

/**
 * Writes a project (and fake executables into its own bin/ directory, the
 * only PATH the Tiltfile's commands see) and loads it.
 */
function load(files: Record<string, string>, bins: Record<string, string> = {}): Loaded {
  const scripts = Object.fromEntries(
    Object.entries(bins).map(([name, script]) => [join('bin', name), `#!/bin/sh\n${script}`]),
  );
  const dir = writeProject({ ...files, ...scripts });
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const name of Object.keys(bins)) chmodSync(join(bin, name), 0o755);
  const r = loadProjectAt(dir, { env: { PATH: bin, ARGS_LOG: join(dir, 'args.log') } });
  // the loader's own lines are not the builtins'
  const own = r.logs.filter((l) => !/^(Loading|Successfully loaded) Tiltfile/.test(l));
  return { ...r, bin, logs: own };
}

const args = (r: Loaded) => readFileSync(join(r.dir, 'args.log'), 'utf8').trim();

/** A fake helm: `version` prints $HELM_VERSION_OUT (v3.14.2 by default); `template` logs its args. */
function fakeHelm(version = 'v3.14.2+gc309b6f', extra = ''): string {
  return `if [ "$1" = "version" ]; then echo "${version}"; exit 0; fi
echo "$@" > "$ARGS_LOG"
${extra}
${CAT} <<EOF
---
# Source: mychart/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: $2-web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx
---
# Source: mychart/templates/config.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: public-config
  namespace: kube-public
---
# Source: mychart/templates/tests/test-connection.yaml
apiVersion: v1
kind: Pod
metadata:
  name: $2-test-connection
  annotations:
    "helm.sh/hook": test
spec:
  containers:
    - name: wget
      image: busybox
EOF
`;
}

const chart = {
  'mychart/Chart.yaml': 'apiVersion: v2\nname: mychart\nversion: 0.1.0\n',
  'mychart/values.yaml': 'replicas: 1\n',
};

describe('helm', () => {
  it('renders the chart with `helm template` and drops its tests', () => {
    const r = load(
      { ...chart, Tiltfile: "yml = helm('mychart')\nprint(str(yml))\nk8s_yaml(yml)\n" },
      { helm: fakeHelm() },
    );
    expect(r.error).toBeNull();
    const chartDir = join(r.dir, 'mychart');
    expect(args(r)).toBe(`template chart ${chartDir} --include-crds`);
    expect(r.logs).toContain(`Running: helm template chart ${chartDir} --include-crds`);
    const out = r.logs.join('\n');
    expect(out).toContain('name: chart-web');
    expect(out).not.toContain('test-connection');
    expect(resultJSON(r).manifests.map((m) => m.name)).toEqual(['chart-web', 'uncategorized']);
    expect(r.configFiles).toContain(chartDir);
  });

  it('passes the release name, namespace, values, sets and kube version', () => {
    const r = load(
      {
        ...chart,
        'dev/values-dev.yaml': 'replicas: 2\n',
        Tiltfile: `k8s_yaml(helm('./mychart', name='rose-quartz', namespace='garnet',
    values=['./dev/values-dev.yaml'], set=['a=b', 'c=d'], kube_version='1.29'))
`,
      },
      { helm: fakeHelm() },
    );
    expect(r.error).toBeNull();
    const chartDir = join(r.dir, 'mychart');
    expect(args(r)).toBe(
      `template rose-quartz ${chartDir} --include-crds --namespace garnet --kube-version 1.29 --values ./dev/values-dev.yaml --set a=b --set c=d`,
    );
    expect(r.configFiles).toContain(join(r.dir, 'dev/values-dev.yaml'));
    const [web, rest] = r.manifests;
    // objects without a namespace get the chart's; others keep theirs
    expect(web.k8s!.yaml).toContain('name: rose-quartz-web\n  namespace: garnet');
    expect(rest.k8s!.yaml).toContain('name: public-config\n  namespace: kube-public');
  });

  it('leaves out --include-crds with skip_crds=True', () => {
    const r = load(
      { ...chart, Tiltfile: "k8s_yaml(helm('mychart', skip_crds=True))\n" },
      { helm: fakeHelm() },
    );
    expect(r.error).toBeNull();
    expect(args(r)).toBe(`template chart ${join(r.dir, 'mychart')}`);
  });

  it('adds the crds/ directory itself for Helm 3.0', () => {
    const r = load(
      {
        ...chart,
        'mychart/crds/machine.yaml':
          'apiVersion: tilt.dev/v1alpha1\nkind: UselessMachine\nmetadata:\n  name: bobo\n',
        Tiltfile: "print(str(helm('mychart')))\n",
      },
      { helm: fakeHelm('v3.0.2') },
    );
    expect(r.error).toBeNull();
    expect(args(r)).toBe(`template chart ${join(r.dir, 'mychart')}`);
    expect(r.logs.join('\n')).toContain('kind: UselessMachine');
  });

  it('watches local subcharts named with file://', () => {
    const r = load(
      {
        ...chart,
        'mychart/requirements.yaml':
          'dependencies:\n  - name: common\n    repository: file://../common\n  - name: etcd\n    repository: https://charts.example.com/\n',
        'common/Chart.yaml': 'name: common\n',
        Tiltfile: "k8s_yaml(helm('mychart'))\n",
      },
      { helm: fakeHelm() },
    );
    expect(r.error).toBeNull();
    expect(r.configFiles).toContain(join(r.dir, 'common'));
  });

  it('fails on a missing chart directory, or a file', () => {
    let r = load({ Tiltfile: "helm('nope')\n" }, { helm: fakeHelm() });
    expect(r.error).toContain(
      `Error in helm: Could not read Helm chart directory "${join(r.dir, 'nope')}": does not exist`,
    );
    r = load({ Tiltfile: "helm('Chart.yaml')\n", 'Chart.yaml': 'x: 1\n' }, { helm: fakeHelm() });
    expect(r.error).toContain(
      `helm() may only be called on directories with Chart.yaml: "${join(r.dir, 'Chart.yaml')}"`,
    );
  });

  it('says so when helm is not installed', () => {
    const r = load({ ...chart, Tiltfile: "helm('mychart')\n" });
    expect(r.error).toContain(
      'Error in helm: Unable to find Helm installation. Make sure `helm` is on your $PATH.',
    );
  });

  it('rejects Helm 2', () => {
    const r = load(
      { ...chart, Tiltfile: "helm('mychart')\n" },
      { helm: fakeHelm('Client: v2.12.3') },
    );
    expect(r.error).toContain('could not parse Helm version from string: "Client: v2.12.3\\n"');
  });

  it('reports a failing helm template with its output, still watching the chart', () => {
    const r = load(
      { ...chart, Tiltfile: "helm('mychart')\n" },
      { helm: fakeHelm('v3.14.2', 'echo "Error: bad chart" >&2; exit 1') },
    );
    const chartDir = join(r.dir, 'mychart');
    expect(r.error).toContain(
      `command "helm template chart ${chartDir} --include-crds" failed.\nerror: exit status 1\nstdout: ""\nstderr: "Error: bad chart\\n"`,
    );
    expect(r.configFiles).toContain(chartDir);
  });

  it('parses helm versions as Tilt does', () => {
    expect(parseHelmVersion('v3.0.0')).toBe('v3.0');
    expect(parseHelmVersion('v3.2.4')).toBe('v3.1+');
    expect(parseHelmVersion('3.15.2')).toBe('v3.1+');
    expect(parseHelmVersion('v4.0.0+g99cd196')).toBe('v3.1+');
    expect(parseHelmVersion('WARNING: insecure\nv3.3.3+g55e3ca0\n')).toBe('v3.1+');
    expect(() => parseHelmVersion('vx.1.2')).toThrow('could not parse Helm version from string');
  });

  it('drops documents from a chart tests/ directory', () => {
    const stream =
      '---\n# Source: c/templates/a.yaml\nkind: A\n---\n# Source: c/templates/tests/t.yaml\nkind: T\n';
    expect(filterHelmTestYAML(stream)).toBe('---\n# Source: c/templates/a.yaml\nkind: A\n');
  });
});

const kustomization = {
  'k/kustomization.yaml':
    'resources:\n  - deployment.yaml\n  - ../base\nconfigMapGenerator:\n  - name: cfg\n    files:\n      - app.properties\n',
  'k/deployment.yaml': 'kind: Deployment\n',
  'k/app.properties': 'a=b\n',
  'base/kustomization.yml': 'resources:\n  - svc.yaml\n',
  'base/svc.yaml': 'kind: Service\n',
};

const kustomizeOut = `echo "$@" > "$ARGS_LOG"
${CAT} <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
EOF
`;

describe('kustomize', () => {
  it('runs `kustomize build` with the flags and watches the kustomization', () => {
    const r = load(
      {
        ...kustomization,
        Tiltfile: "yml = kustomize('k', flags=['--enable-helm'])\nprint(str(yml))\nk8s_yaml(yml)\n",
      },
      { kustomize: kustomizeOut },
    );
    expect(r.error).toBeNull();
    expect(args(r)).toBe('build --enable-helm k');
    expect(r.logs).toContain('Running: kustomize build --enable-helm k');
    expect(r.logs.join('\n')).toContain('name: cfg');
    for (const f of [
      'k/kustomization.yaml',
      'k/deployment.yaml',
      'k/app.properties',
      'base/kustomization.yml',
      'base/svc.yaml',
    ]) {
      expect(r.configFiles).toContain(join(r.dir, f));
    }
    expect(resultJSON(r).manifests.map((m) => m.name)).toEqual(['uncategorized']);
  });

  it('falls back to `kubectl kustomize`', () => {
    const r = load(
      { ...kustomization, Tiltfile: "k8s_yaml(kustomize('k'))\n" },
      { kubectl: kustomizeOut },
    );
    expect(r.error).toBeNull();
    expect(args(r)).toBe('kustomize k');
    expect(r.logs).toEqual([
      'Falling back to `kubectl kustomize` since `kustomize` was not found in PATH',
      'Running: kubectl kustomize k',
    ]);
  });

  it('names kubectl when neither tool is installed', () => {
    const r = load({ ...kustomization, Tiltfile: "kustomize('k')\n" });
    expect(r.error).toContain(
      'command "kubectl kustomize k" failed.\nerror: exec: "kubectl": executable file not found in $PATH',
    );
  });

  it('uses kustomize_bin, relative to the Tiltfile, without falling back', () => {
    let r = load(
      { ...kustomization, Tiltfile: "k8s_yaml(kustomize('k', kustomize_bin='./bin/kz'))\n" },
      { kz: kustomizeOut, kubectl: kustomizeOut },
    );
    expect(r.error).toBeNull();
    expect(r.logs).toEqual([`Running: ${join(r.dir, 'bin/kz')} build k`]);
    r = load(
      { ...kustomization, Tiltfile: "kustomize('k', kustomize_bin='./bin/kz')\n" },
      { kubectl: kustomizeOut },
    );
    const kz = join(r.dir, 'bin/kz');
    expect(r.error).toContain(`exec: "${kz}": stat ${kz}: no such file or directory`);
  });

  it('fails to resolve deps of a directory without a kustomization', () => {
    const r = load(
      { 'k/x.yaml': 'a: 1\n', Tiltfile: "kustomize('k')\n" },
      { kustomize: kustomizeOut },
    );
    expect(r.error).toContain(
      `resolving deps: unable to find one of [kustomization.yaml kustomization.yml Kustomization] in directory '${join(r.dir, 'k')}'`,
    );
  });
});

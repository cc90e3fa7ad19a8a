// Helpers for the Docker runtime's integration tests: a unique project per test,
// an events sink that tests can wait on, and a clean-up that removes whatever a
// project left on the engine.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterEach, beforeAll } from 'vitest';
import { parseYAMLStream, type K8sEntity } from '../../../src/k8s/entity.js';
import { DockerRuntime, type DockerRuntimeOptions } from '../../../src/runtime/docker/index.js';
import { LABEL_PROJECT } from '../../../src/runtime/docker/labels.js';
import { networkName } from '../../../src/runtime/docker/names.js';
import type { PodStatus, RuntimeEvents } from '../../../src/runtime/workload.js';
import { BUSYBOX_BASE, dockerEngine, ensureBusyboxBase } from '../../integration/fixtures.js';

export const BUSYBOX = BUSYBOX_BASE;

/** A project name no other test (or test run) uses. */
export function uniqueProject(prefix: string): string {
  return `tt-${prefix}-${randomBytes(3).toString('hex')}`;
}

export interface LogLine {
  resource: string;
  span: string;
  text: string;
  level?: string;
}

/** Records what a runtime reports and lets tests wait until a condition holds. */
export class RecordingEvents implements RuntimeEvents {
  readonly latest = new Map<string, PodStatus[]>();
  readonly logs: LogLine[] = [];
  private waiters = new Set<() => void>();

  pods(resource: string, pods: PodStatus[]): void {
    this.latest.set(resource, pods);
    this.notify();
  }

  log(resource: string, span: string, text: string, level?: 'INFO' | 'WARN' | 'ERROR'): void {
    this.logs.push({ resource, span, text, level });
    this.notify();
  }

  podsOf(resource: string): PodStatus[] {
    return this.latest.get(resource) ?? [];
  }

  /** All log text of a resource (optionally of spans starting with `spanPrefix`). */
  text(resource: string, spanPrefix = ''): string {
    return this.logs
      .filter((l) => l.resource === resource && l.span.startsWith(spanPrefix))
      .map((l) => l.text)
      .join('');
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /**
   * Resolves once `cond` holds, checking whenever the runtime reports something.
   * Rejects after `timeoutMs` with what was last seen.
   */
  until(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        let ok = false;
        try {
          ok = cond();
        } catch {
          ok = false;
        }
        if (!ok) return;
        done();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        const seen = JSON.stringify(Object.fromEntries(this.latest), null, 1).slice(0, 4000);
        reject(new Error(`timed out waiting for ${what}; last pods: ${seen}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  /** Waits until the resource's pods satisfy `cond`; returns them. */
  async untilPods(
    resource: string,
    cond: (pods: PodStatus[]) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<PodStatus[]> {
    await this.until(() => cond(this.podsOf(resource)), `${resource}: ${what}`, timeoutMs);
    return this.podsOf(resource);
  }
}

export const live = (pods: PodStatus[]) => pods.filter((p) => !p.deleting);
export const allReady = (n: number) => (pods: PodStatus[]) =>
  live(pods).length === n && live(pods).every((p) => p.ready);

export function yaml(text: string): K8sEntity[] {
  return parseYAMLStream(text);
}

/** The Docker client, after making sure the busybox base image exists. */
export async function testDocker(): Promise<Docker> {
  const engine = await dockerEngine();
  await ensureBusyboxBase(engine);
  return engine.docker;
}

/**
 * Runtimes of one fresh project per test: `start(prefix)` names the project
 * and starts a runtime; after each test every runtime is closed and the
 * project removed from the engine.
 */
export function runtimeHarness() {
  const h = {
    docker: undefined as unknown as Docker,
    project: '',
    runtimes: [] as DockerRuntime[],
    /** The runtime started last. */
    get runtime(): DockerRuntime {
      const r = h.runtimes.at(-1);
      if (!r) throw new Error('no runtime started in this test');
      return r;
    },
    /** A started runtime (of a new project, unless one is named already in this test). */
    async start(
      prefix: string,
      opts: Partial<DockerRuntimeOptions> = {},
    ): Promise<{ runtime: DockerRuntime; events: RecordingEvents }> {
      if (!h.project) h.project = uniqueProject(prefix);
      const runtime = makeRuntime(h.docker, h.project, opts);
      h.runtimes.push(runtime);
      const events = new RecordingEvents();
      await runtime.start(events);
      return { runtime, events };
    },
  };
  beforeAll(async () => {
    h.docker = await testDocker();
  });
  afterEach(async () => {
    for (const r of h.runtimes.splice(0)) await r.close();
    if (h.project) await removeProject(h.docker, h.project);
    h.project = '';
  });
  return h;
}

/** A runtime for `project` with short back-offs, and its state in a temporary directory. */
export function makeRuntime(
  docker: Docker,
  project: string,
  opts: Partial<DockerRuntimeOptions> = {},
): DockerRuntime {
  return new DockerRuntime({
    docker,
    project,
    backoffBaseMs: 200,
    backoffMaxMs: 1000,
    stateDir: stateDirOf(project),
    ...opts,
  });
}

export function stateDirOf(project: string): string {
  return path.join(os.tmpdir(), 'tilt-ts-test', project);
}

/** Removes everything labelled with the project (containers, volumes, network) and its state. */
export async function removeProject(docker: Docker, project: string): Promise<void> {
  const filters = { label: [`${LABEL_PROJECT}=${project}`] };
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(
    containers.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
  const volumes = await docker.listVolumes({ filters });
  for (const v of volumes.Volumes ?? []) {
    await docker
      .getVolume(v.Name)
      .remove()
      .catch(() => undefined);
  }
  await docker
    .getNetwork(networkName(project))
    .remove()
    .catch(() => undefined);
  fs.rmSync(stateDirOf(project), { recursive: true, force: true });
}

/** Containers of the project on the engine. */
export async function projectContainers(
  docker: Docker,
  project: string,
): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`${LABEL_PROJECT}=${project}`] } });
}

/** A Deployment running busybox with `command`; extra YAML is appended under the container. */
export function busyboxDeployment(
  name: string,
  opts: {
    replicas?: number;
    command: string;
    image?: string;
    labels?: Record<string, string>;
    extra?: string;
  },
): string {
  const labels = opts.labels ?? { app: name };
  const labelYaml = Object.entries(labels)
    .map(([k, v]) => `        ${k}: ${v}`)
    .join('\n');
  return `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${opts.replicas ?? 1}
  selector:
    matchLabels:
${labelYaml.replace(/^ {8}/gm, '      ')}
  template:
    metadata:
      labels:
${labelYaml}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - name: main
        image: ${opts.image ?? BUSYBOX}
        command: ["sh", "-c", ${JSON.stringify(opts.command)}]
${opts.extra ?? ''}`;
}

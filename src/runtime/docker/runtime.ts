// The embedded Docker runtime: runs the Kubernetes workloads of a Tiltfile as
// containers on the local Docker engine, one sandbox plus containers per pod,
// on a per-project network where Services are DNS names. See WorkloadRuntime
// for the contract; the parts live in the modules next to this one.

import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { DockerEngine, DockerUnreachableError } from '../../build/docker/engine.js';
import { DEFAULT_NAMESPACE, K8sEntity } from '../../k8s/entity.js';
import type { JSONObject } from '../../k8s/json.js';
import {
  ApplyError,
  ExecFailedError,
  type ApplyOptions,
  type ContainerRef,
  type DeleteOptions,
  type ExecOptions,
  type PodStatus,
  type RuntimeEvents,
  type WorkloadRuntime,
} from '../workload.js';
import { ConfigStore, type ChangedKinds } from './config-store.js';
import { isUnreachable, statusOf, translateUnreachable } from './docker-errors.js';
import { ContainerEventStream, type ContainerEvent } from './events.js';
import { execInContainer } from './exec.js';
import {
  labelFilters,
  LABEL_OBJECT,
  LABEL_RESOURCE,
  objectLabel,
  readContainerLabels,
  resourceLabels,
  type ObjectRef,
} from './labels.js';
import { claimVolumeName, networkName } from './names.js';
import { ensureNetwork, podAliases, remappedPorts, removeNetworkIfUnused } from './network.js';
import { ensurePauseImage, forgetPauseImage } from './pause-image.js';
import { PodRunner } from './pod-runner.js';
import { ensureVolume } from './volumes.js';
import {
  WorkloadController,
  type ControllerContext,
  type ImageProblem,
} from './workload-controller.js';
import { classifyObject, objectRef, WorkloadSpecError, type WorkloadPlan } from './workloads.js';

export interface DockerRuntimeOptions {
  /** The engine's client (connectDocker().docker). */
  docker: Docker;
  /** A Docker-name-safe name of the Tiltfile's project, e.g. `myapp-3f2a1c`. */
  project: string;
  /** The namespace of objects that name none (`tilt up --namespace`); `default` by default. */
  namespace?: string;
  /** The engine's address for messages, e.g. `unix:///var/run/docker.sock`. */
  host?: string;
  /** First crash-loop back-off; doubles per restart. Kubernetes: 10 s. */
  backoffBaseMs?: number;
  /** Longest crash-loop back-off. Kubernetes: 5 min. */
  backoffMaxMs?: number;
  /** Where volume files and the project's ConfigMaps/Secrets/Services are kept. */
  stateDir?: string;
}

const DOWN_POLICY = 'tilt.dev/down-policy';
const CONNECT_TIMEOUT_MS = 5000;
const NO_EVENTS: RuntimeEvents = { pods() {}, log() {} };

class ResourceState {
  readonly controllers = new Map<string, WorkloadController>();
  readonly removals = new Set<Promise<void>>();
  queue: Promise<unknown> = Promise.resolve();
  reported: PodStatus[] = [];
  reportScheduled = false;
}

export class DockerRuntime implements WorkloadRuntime {
  readonly kind = 'docker' as const;
  readonly description: string;

  private readonly docker: Docker;
  private readonly engine: DockerEngine;
  private readonly project: string;
  private readonly namespace: string;
  private readonly host: string;
  private readonly stateDir: string;
  private readonly stateDirIsDefault: boolean;
  private readonly store: ConfigStore;
  private readonly context: ControllerContext;
  private readonly resources = new Map<string, ResourceState>();
  private readonly byContainer = new Map<string, PodRunner>();
  /** Which resource applied each PersistentVolumeClaim, for its volume's labels. */
  private readonly claimOwners = new Map<string, string>();
  private events: RuntimeEvents = NO_EVENTS;
  private eventStream: ContainerEventStream | undefined;
  private started: Promise<void> | undefined;
  private closed = false;
  private networkQueue: Promise<unknown> = Promise.resolve();

  constructor(opts: DockerRuntimeOptions) {
    this.docker = opts.docker;
    this.project = opts.project;
    this.namespace = opts.namespace || DEFAULT_NAMESPACE;
    this.host = opts.host ?? engineAddress(opts.docker);
    this.engine = new DockerEngine(opts.docker, this.host);
    this.description = `Docker engine at ${this.host}`;
    this.stateDir = opts.stateDir ?? path.join(os.tmpdir(), 'tilt-ts', opts.project);
    this.stateDirIsDefault = opts.stateDir === undefined;
    this.store = new ConfigStore(path.join(this.stateDir, 'objects.json'), () =>
      this.prepareStateDir(),
    );
    this.context = {
      docker: this.docker,
      project: this.project,
      network: networkName(this.project),
      stateDir: this.stateDir,
      store: this.store,
      backoffBaseMs: opts.backoffBaseMs ?? 10_000,
      backoffMaxMs: opts.backoffMaxMs ?? 300_000,
      events: () => this.events,
      track: (id, pod) => this.byContainer.set(id, pod),
      untrack: (id) => this.byContainer.delete(id),
      aliasesFor: (pod) =>
        podAliases(
          pod,
          this.store.all('Service').map((s) => s.obj),
        ),
      claimLabels: (resource, namespace, claim) => this.claimLabels(resource, namespace, claim),
      prepareStateDir: () => this.prepareStateDir(),
      repairSandbox: async () => {
        forgetPauseImage(this.engine);
        await ensurePauseImage(this.engine);
        await this.ensureNetwork();
      },
      podsChanged: (resource) => this.scheduleReport(resource),
      serialize: (resource, fn) => this.serialize(resource, fn),
      trackRemoval: (resource, removal) => {
        const state = this.state(resource);
        state.removals.add(removal);
        void removal.finally(() => state.removals.delete(removal));
      },
      checkImage: (image, policy, opts) => this.checkImage(image, policy, opts),
    };
  }

  // -------------------------------------------------------------------------
  // Start and adoption

  start(events: RuntimeEvents): Promise<void> {
    this.events = events;
    this.started ??= this.startNow().catch((err: unknown) => {
      this.started = undefined;
      throw translateUnreachable(this.host, err);
    });
    return this.started;
  }

  private ensureStarted(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the Docker runtime is closed'));
    return this.started ?? this.start(this.events);
  }

  private async startNow(): Promise<void> {
    // The event stream opens first, so that nothing that happens while adopting is missed.
    const stream = new ContainerEventStream(this.docker, this.project, {
      onEvent: (ev) => this.onEvent(ev),
      onReconnect: () => {
        for (const pod of new Set(this.byContainer.values())) pod.resync();
      },
    });
    await stream.open();
    this.eventStream = stream;
    try {
      await this.adoptExisting();
    } catch (err) {
      stream.close();
      this.eventStream = undefined;
      throw err;
    }
  }

  /** Takes over the pods an earlier run of the project left on the engine. */
  private async adoptExisting(): Promise<void> {
    const since = Date.now();
    const list = await this.docker.listContainers({
      all: true,
      filters: { label: labelFilters(this.project) },
    });
    const groups = new Map<string, Docker.ContainerInfo[]>();
    for (const c of list) {
      const key = `${c.Labels[LABEL_OBJECT] ?? ''}|${readContainerLabels(c.Labels)?.pod ?? ''}`;
      groups.set(key, [...(groups.get(key) ?? []), c]);
    }
    for (const group of groups.values()) {
      const infos: Docker.ContainerInspectInfo[] = [];
      for (const c of group) {
        const info = await this.docker
          .getContainer(c.Id)
          .inspect()
          .catch(() => undefined);
        if (info) infos.push(info);
      }
      const labels = readContainerLabels(group[0]!.Labels);
      if (!labels) continue;
      const controller = this.controllerFor(labels.resource, labels.object);
      const pod = await PodRunner.adopt(infos, this.context, controller, since);
      if (pod) {
        controller.adoptPod(pod);
      } else {
        // Leftovers of a pod that was never completely made: remove them.
        await Promise.all(
          group.map((c) =>
            this.docker
              .getContainer(c.Id)
              .remove({ force: true })
              .catch(() => undefined),
          ),
        );
      }
    }
    for (const resource of this.resources.keys()) this.scheduleReport(resource);
  }

  private onEvent(ev: ContainerEvent): void {
    this.byContainer.get(ev.id)?.onEvent(ev);
  }

  // -------------------------------------------------------------------------
  // Apply

  async apply(resource: string, entities: K8sEntity[], opts: ApplyOptions = {}): Promise<void> {
    await this.ensureStarted();
    await this.serialize(resource, async () => {
      try {
        await this.applyNow(resource, entities, opts);
      } catch (err) {
        if (err instanceof ApplyError) throw err;
        const unreachable = translateUnreachable(this.host, err);
        if (unreachable instanceof DockerUnreachableError) throw unreachable;
        if (isAbort(err)) throw err;
        const message = err instanceof Error ? err.message : String(err);
        throw new ApplyError(resource, message, { cause: err });
      }
    });
  }

  private async applyNow(resource: string, input: K8sEntity[], opts: ApplyOptions): Promise<void> {
    const { signal, log } = opts;
    signal?.throwIfAborted();
    const entities = input.map((e) => this.withNamespace(e));
    const problems: string[] = [];
    const plans: WorkloadPlan[] = [];
    // Objects that stay: the workloads, and those whose new spec is refused (their
    // pods keep running, as a cluster keeps them when an apply fails).
    const wanted = new Set<string>();
    for (const e of entities) {
      let role;
      try {
        role = classifyObject(e);
      } catch (err) {
        if (!(err instanceof WorkloadSpecError)) throw err;
        problems.push(`${err.object}: ${err.message}`);
        wanted.add(objectLabel(objectRef(e)));
        continue;
      }
      switch (role.role) {
        case 'workload':
          plans.push(role.plan);
          break;
        case 'claim':
          await this.ensureClaim(resource, e);
          break;
        case 'cronjob':
          this.events.log(
            resource,
            `cronjob:${e.name}`,
            `[event: cronjob/${e.name} is not scheduled by the Docker runtime]\n`,
          );
          break;
        case 'unknown':
          log?.(
            `Ignoring ${e.kind} ${e.name}: the Docker runtime only runs built-in Kubernetes kinds`,
          );
          break;
        case 'config':
          if (e.kind === 'Service') this.noteRemappedPorts(e, log);
          break;
        case 'inert':
          break;
      }
    }

    const changed = this.store.replaceResource(resource, entities);
    signal?.throwIfAborted();
    await this.ensureNetwork();
    if (plans.length > 0) await ensurePauseImage(this.engine);
    if (changed.has('Service')) await this.refreshAllAliases();

    const state = this.state(resource);
    for (const plan of plans) {
      signal?.throwIfAborted();
      const key = objectLabel(plan.ref);
      wanted.add(key);
      const controller = this.controllerFor(resource, plan.ref);
      problems.push(...(await controller.apply(plan, opts)));
    }
    for (const [key, controller] of state.controllers) {
      if (wanted.has(key)) continue;
      log?.(`Removing ${controller.owner}: no longer part of ${resource}`);
      state.controllers.delete(key);
      void controller.remove();
    }
    this.retryWaitingPods(resource, changed);
    this.scheduleReport(resource);
    if (problems.length > 0) throw new ApplyError(resource, problems.join('\n'));
  }

  /** Objects that name no namespace go to the runtime's. */
  private withNamespace(e: K8sEntity): K8sEntity {
    if (e.namespace) return e;
    const copy = e.clone();
    const meta = (copy.obj.metadata ??= {}) as JSONObject;
    meta.namespace = this.namespace;
    return copy;
  }

  /** Made when first written to, so that a project with no workloads leaves none behind. */
  private prepareStateDir(): void {
    if (fs.existsSync(this.stateDir)) return;
    prepareStateDir(this.stateDir, this.stateDirIsDefault);
  }

  /** One at a time: parallel applies must not each create the network. */
  private ensureNetwork(): Promise<string> {
    return this.onNetwork(() => ensureNetwork(this.docker, this.project));
  }

  /** Runs network changes (create, remove) one after another. */
  private onNetwork<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.networkQueue.then(fn);
    this.networkQueue = next.catch(() => undefined);
    return next;
  }

  private controllerFor(resource: string, ref: ObjectRef): WorkloadController {
    const state = this.state(resource);
    const key = objectLabel(ref);
    let controller = state.controllers.get(key);
    if (!controller) {
      controller = new WorkloadController(resource, ref, this.context);
      state.controllers.set(key, controller);
    }
    return controller;
  }

  private state(resource: string): ResourceState {
    let state = this.resources.get(resource);
    if (!state) {
      state = new ResourceState();
      this.resources.set(resource, state);
    }
    return state;
  }

  private serialize<T>(resource: string, fn: () => Promise<T>): Promise<T> {
    const state = this.state(resource);
    const run = state.queue.then(fn, fn);
    state.queue = run.catch(() => undefined);
    return run;
  }

  private async ensureClaim(resource: string, e: K8sEntity): Promise<void> {
    this.claimOwners.set(`${e.namespaceOrDefault}/${e.name}`, resource);
    await ensureVolume(
      this.docker,
      claimVolumeName(this.project, e.namespaceOrDefault, e.name),
      this.claimLabels(resource, e.namespaceOrDefault, e.name),
    );
  }

  private claimLabels(resource: string, namespace: string, claim: string): Record<string, string> {
    const owner = this.claimOwners.get(`${namespace}/${claim}`) ?? resource;
    return {
      ...resourceLabels(this.project, owner),
      [LABEL_OBJECT]: objectLabel({ kind: 'PersistentVolumeClaim', namespace, name: claim }),
    };
  }

  private noteRemappedPorts(service: K8sEntity, log?: (line: string) => void): void {
    for (const { port, targetPort } of remappedPorts(service.obj)) {
      log?.(
        `service/${service.name}: port ${port} forwards to targetPort ${targetPort} in a cluster; ` +
          `the Docker runtime cannot remap ports, so clients must use port ${targetPort}`,
      );
    }
  }

  /** Services changed: every pod of the project gets the DNS names it now has. */
  private async refreshAllAliases(): Promise<void> {
    const pods = new Set(this.byContainer.values());
    await Promise.all([...pods].map((p) => p.refreshAliases().catch(() => undefined)));
  }

  /** Pods of other resources waiting on ConfigMaps or Secrets that may exist now. */
  private retryWaitingPods(except: string, changed: ChangedKinds): void {
    if (!changed.has('ConfigMap') && !changed.has('Secret')) return;
    for (const [resource, state] of this.resources) {
      if (resource === except) continue;
      for (const controller of state.controllers.values()) {
        if (!controller.pods.some((p) => p.isBroken && !p.isDeleting)) continue;
        void this.serialize(resource, () => controller.retry()).catch(() => undefined);
      }
    }
  }

  private async checkImage(
    image: string,
    pullPolicy: string,
    { log, signal }: ApplyOptions,
  ): Promise<ImageProblem | undefined> {
    if (await this.engine.imageExists(image)) return undefined;
    if (pullPolicy === 'Never') {
      return {
        reason: 'ErrImageNeverPull',
        message: `Container image "${image}" is not present with pull policy of Never`,
      };
    }
    log?.(`Pulling image ${image}`);
    try {
      await this.engine.pull(image, () => {}, {}, signal);
      return undefined;
    } catch (err) {
      if (isUnreachable(err) || err instanceof DockerUnreachableError || isAbort(err)) throw err;
      const message = err instanceof Error ? err.message : String(err);
      return {
        reason: 'ErrImagePull',
        message: `image "${image}" is not present locally and could not be pulled: ${message}`,
      };
    }
  }

  // -------------------------------------------------------------------------
  // Reporting

  pods(resource: string): PodStatus[] {
    const state = this.resources.get(resource);
    if (!state) return [];
    // What was reported, or is about to be: statuses are cheap to compute.
    return this.closed ? state.reported : this.statuses(state);
  }

  private statuses(state: ResourceState): PodStatus[] {
    const pods: PodStatus[] = [];
    for (const c of state.controllers.values()) pods.push(...c.statuses());
    return pods.sort((a, b) => b.createdAt - a.createdAt || a.name.localeCompare(b.name));
  }

  /** Reports a resource's pods once for all the changes made in one go. */
  private scheduleReport(resource: string): void {
    const state = this.state(resource);
    if (state.reportScheduled) return;
    state.reportScheduled = true;
    queueMicrotask(() => {
      state.reportScheduled = false;
      state.reported = this.statuses(state);
      if (!this.closed) this.events.pods(resource, state.reported);
    });
  }

  firstContainerPort(resource: string): number | undefined {
    const state = this.resources.get(resource);
    if (!state) return undefined;
    const newest = this.newestPods(resource);
    for (const pod of newest) {
      const [port] = pod.containerPorts();
      if (port !== undefined) return port;
    }
    for (const c of state.controllers.values()) {
      const port = c.firstContainerPort();
      if (port !== undefined) return port;
    }
    return undefined;
  }

  private newestPods(resource: string): PodRunner[] {
    const state = this.resources.get(resource);
    if (!state) return [];
    const pods: PodRunner[] = [];
    for (const c of state.controllers.values()) pods.push(...c.pods.filter((p) => !p.isDeleting));
    return pods.sort((a, b) => b.createdAt - a.createdAt);
  }

  // -------------------------------------------------------------------------
  // Port-forward

  connect(resource: string, port: number): Promise<Duplex> {
    const pod = this.newestPods(resource).find((p) => p.phase === 'Running' && p.podIP);
    if (!pod) return Promise.reject(new Error(`no running pod for resource "${resource}"`));
    const host = pod.podIP!;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`timed out connecting to port ${port} of pod ${pod.name} (${host})`));
      }, CONNECT_TIMEOUT_MS);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(socket);
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.destroy();
        reject(
          new Error(
            err.code === 'ECONNREFUSED'
              ? `nothing is listening on port ${port} of pod ${pod.name} (connection refused)`
              : `connecting to port ${port} of pod ${pod.name} (${host}): ${err.message}`,
            { cause: err },
          ),
        );
      });
    });
  }

  // -------------------------------------------------------------------------
  // Live update

  exec(resource: string, c: ContainerRef, argv: string[], opts: ExecOptions = {}): Promise<number> {
    const found = this.podOf(resource, c);
    if (typeof found === 'string') return Promise.reject(new ExecFailedError(found));
    const what = `container ${found.container} of pod ${found.pod.name}`;
    return execInContainer(this.docker.getContainer(c.id), argv, opts, what);
  }

  async restartContainer(resource: string, c: ContainerRef): Promise<void> {
    const found = this.podOf(resource, c);
    if (typeof found === 'string') throw new Error(found);
    try {
      await found.pod.restartContainer(c.id);
    } catch (err) {
      throw translateUnreachable(this.host, err);
    }
  }

  /** The pod that runs container `c` of `resource`, or why there is none. */
  private podOf(resource: string, c: ContainerRef): { pod: PodRunner; container: string } | string {
    const named = `container ${c.container} of pod ${c.pod} (${c.id.slice(0, 12)})`;
    if (this.closed) return `${named}: the Docker runtime is closed`;
    const pod = this.byContainer.get(c.id);
    const container = pod?.containerName(c.id);
    if (!pod || container === undefined) {
      return `${named} is gone: no container of the project has that ID`;
    }
    if (pod.resource !== resource) {
      return `${named} belongs to resource "${pod.resource}", not "${resource}"`;
    }
    return { pod, container };
  }

  // -------------------------------------------------------------------------
  // Delete

  async delete(resource: string, entities: K8sEntity[], opts: DeleteOptions = {}): Promise<void> {
    await this.ensureStarted();
    try {
      await this.serialize(resource, () => this.deleteNow(resource, entities, opts));
    } catch (err) {
      throw translateUnreachable(this.host, err);
    }
  }

  private async deleteNow(
    resource: string,
    input: K8sEntity[],
    opts: DeleteOptions,
  ): Promise<void> {
    const { log } = opts;
    const entities = input.map((e) => this.withNamespace(e));
    const kept = new Set(
      entities
        .filter((e) => e.annotations[DOWN_POLICY] === 'keep')
        .map((e) => objectLabel(objectRef(e))),
    );
    for (const key of kept) log?.(`Keeping ${key} (${DOWN_POLICY}: keep)`);

    const state = this.state(resource);
    for (const [key, controller] of state.controllers) {
      if (kept.has(key)) continue;
      const pods = controller.pods.filter((p) => !p.isDeleting).map((p) => p.name);
      log?.(`Deleting ${controller.owner}${pods.length > 0 ? ` (pods ${pods.join(', ')})` : ''}`);
      state.controllers.delete(key);
      await controller.remove();
    }
    await Promise.all([...state.removals]);

    // Containers of the resource that no controller knows (a pod of an earlier run left half made).
    const leftovers = await this.docker.listContainers({
      all: true,
      filters: { label: labelFilters(this.project, resource) },
    });
    for (const c of leftovers) {
      if (kept.has(c.Labels[LABEL_OBJECT] ?? '')) continue;
      await this.docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch((err: unknown) => {
          if (statusOf(err) !== 404) throw err;
        });
      this.byContainer.delete(c.Id);
    }

    this.store.removeResource(resource, (o) =>
      kept.has(objectLabel({ kind: o.kind, namespace: o.namespace, name: o.name })),
    );
    if (opts.deleteVolumes) await this.deleteVolumes(resource, kept, log);
    this.scheduleReport(resource);

    if (await this.onNetwork(() => removeNetworkIfUnused(this.docker, this.project))) {
      log?.(`Removed network ${networkName(this.project)}`);
      if (this.store.isEmpty) fs.rmSync(this.stateDir, { recursive: true, force: true });
    }
  }

  private async deleteVolumes(
    resource: string,
    kept: Set<string>,
    log?: (line: string) => void,
  ): Promise<void> {
    const list = await this.docker.listVolumes({
      filters: { label: labelFilters(this.project, resource) },
    });
    for (const v of list.Volumes ?? []) {
      if (kept.has(v.Labels?.[LABEL_OBJECT] ?? '')) continue;
      if (v.Labels?.[LABEL_RESOURCE] !== resource) continue;
      try {
        await this.docker.getVolume(v.Name).remove();
        log?.(`Deleted volume ${v.Name}`);
      } catch (err) {
        if (statusOf(err) !== 404)
          log?.(`Could not delete volume ${v.Name}: ${(err as Error).message}`);
      }
    }
  }

  // -------------------------------------------------------------------------
  // Close

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.eventStream?.close();
    for (const state of this.resources.values()) {
      for (const c of state.controllers.values()) c.detach();
    }
  }
}

/**
 * The project's directory holds Secrets (in objects.json and volume files): only
 * its user may enter it. Its parent is shared by every user, like /tmp.
 */
function prepareStateDir(dir: string, sharedParent: boolean): void {
  const parent = path.dirname(dir);
  if (sharedParent && !fs.existsSync(parent)) {
    fs.mkdirSync(parent, { recursive: true });
    fs.chmodSync(parent, 0o1777);
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** The engine's address as a URL, from the client's connection settings. */
function engineAddress(docker: Docker): string {
  const modem = (
    docker as unknown as {
      modem?: { socketPath?: unknown; host?: unknown; port?: unknown; protocol?: unknown };
    }
  ).modem;
  if (modem && typeof modem.socketPath === 'string' && modem.socketPath)
    return `unix://${modem.socketPath}`;
  if (modem && typeof modem.host === 'string' && modem.host) {
    const scheme = modem.protocol === 'https' ? 'https' : 'tcp';
    return `${scheme}://${modem.host}${modem.port ? `:${String(modem.port)}` : ''}`;
  }
  return 'unix:///var/run/docker.sock';
}

function isAbort(err: unknown): boolean {
  return (err as { name?: unknown } | null)?.name === 'AbortError';
}

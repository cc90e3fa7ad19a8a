// The life of one pod on Docker: its sandbox (the network namespace), its init
// containers one after another, then its containers; restarts with crash-loop
// back-off under the restart policy; readiness probes; log following; and the
// pod's status as Kubernetes reports it. Everything that changes a pod runs in
// the pod's own queue, triggered by Docker events or timers — nothing polls.

import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { childArray, childString, isJSONObject, type JSONObject } from '../../k8s/json.js';
import type { PodPhase, PodStatus, RuntimeEvents } from '../workload.js';
import { ConfigRefError, podFieldResolver, resolveEnv, type FieldResolver } from './config-refs.js';
import type { ObjectLookup } from './config-store.js';
import { engineMessage, ignoreGone, statusOf } from './docker-errors.js';
import type { ContainerEvent } from './events.js';
import {
  LABEL_OBJECT,
  LABEL_POD,
  LABEL_PROJECT,
  objectLabel,
  ownerName,
  readContainerLabels,
  type ObjectRef,
} from './labels.js';
import { ContainerSlot, hasRun } from './container-slot.js';
import { dockerSince, followLogs, sinceAfter } from './logs.js';
import { podKey } from './names.js';
import type { PodIdentity } from './network.js';
import { setAliases } from './network.js';
import { addressOf, makePod, type PodAddress, type PodToMake } from './pod-launch.js';
import { ReadinessProber } from './probes.js';
import { planVolumes, removePodVolumes, type PodVolume } from './volumes.js';
import { podContainers, type RestartPolicy } from './workloads.js';

/** What every pod of the runtime shares. */
export interface PodRuntimeContext {
  readonly docker: Docker;
  readonly project: string;
  readonly network: string;
  /** Per-project directory for volume files. */
  readonly stateDir: string;
  readonly store: ObjectLookup;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  events(): RuntimeEvents;
  /** Routes Docker events of a container to its pod. */
  track(containerId: string, pod: PodRunner): void;
  untrack(containerId: string): void;
  aliasesFor(pod: PodIdentity): string[];
  /** Labels of a claim's named volume. */
  claimLabels(resource: string, namespace: string, claim: string): Record<string, string>;
  /** Makes the per-project directory (private to the user) before files are written there. */
  prepareStateDir(): void;
  /** Makes the sandbox image and the project network again if they are missing. */
  repairSandbox(): Promise<void>;
}

/** The object that owns the pod (a workload controller). */
export interface PodOwner {
  podChanged(pod: PodRunner): void;
  /** The pod's sandbox or one of its containers is gone: it cannot go on. */
  podLost(pod: PodRunner, reason: string): void;
  /** Whether a failed container may restart (a Job's backoffLimit); true when absent. */
  mayRestart?(pod: PodRunner): boolean;
}

export interface PodInit {
  resource: string;
  object: ObjectRef;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: JSONObject;
  specHash: string;
  restartPolicy: RestartPolicy;
  createdAt: number;
  /** StatefulSet pods: their claim templates' volumes. */
  claimTemplates?: { names: string[]; setName: string; ordinal: number };
  /** StatefulSet pods are `<pod>.<serviceName>` in DNS. */
  subdomain?: string;
}

/** Docker could not create the pod's sandbox or containers. */
export class PodLaunchError extends Error {
  constructor(
    readonly pod: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PodLaunchError';
  }
}

type Stage = 'creating' | 'waiting' | 'failed-to-create' | 'init' | 'running' | 'finished';

const DEFAULT_GRACE_SECONDS = 30;
/** How long an exit waits for the container's last output before it is reported. */
const LOG_DRAIN_MS = 2000;

export class PodRunner {
  readonly resource: string;
  readonly object: ObjectRef;
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly spec: JSONObject;
  readonly specHash: string;
  readonly restartPolicy: RestartPolicy;
  readonly createdAt: number;
  readonly key: string;
  readonly podDir: string;

  private stage: Stage = 'creating';
  private finalPhase: 'Succeeded' | 'Failed' | undefined;
  private deleting = false;
  private lost = false;
  private detached = false;
  /** Set when the pod is being stopped for good (a failed Job): nothing restarts. */
  private noRestarts = false;
  private removal: Promise<void> | undefined;
  private launching: Promise<void> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly slots: ContainerSlot[];
  private sandboxId = '';
  private address: PodAddress = {};
  private aliases: string[] = [];
  private readonly uid = randomUUID();
  private volumes: PodVolume[] = [];
  private readonly init: PodInit;

  private constructor(
    init: PodInit,
    private readonly ctx: PodRuntimeContext,
    private owner: PodOwner,
  ) {
    this.init = init;
    this.resource = init.resource;
    this.object = init.object;
    this.name = init.name;
    this.namespace = init.namespace;
    this.labels = init.labels;
    this.annotations = init.annotations;
    this.spec = init.spec;
    this.specHash = init.specHash;
    this.restartPolicy = init.restartPolicy;
    this.createdAt = init.createdAt;
    this.key = podKey(init.name, init.namespace);
    this.podDir = path.join(ctx.stateDir, 'pods', this.key);
    this.slots = podContainers(init.spec).map(
      (c) => new ContainerSlot(c.name, c.image, c.init, c.index, c.spec),
    );
  }

  /** A new pod; launch() creates it on the engine. */
  static create(init: PodInit, ctx: PodRuntimeContext, owner: PodOwner): PodRunner {
    return new PodRunner(init, ctx, owner);
  }

  // -------------------------------------------------------------------------
  // Status

  get phase(): PodPhase {
    if (this.stage === 'finished') return this.finalPhase ?? 'Failed';
    return this.stage === 'running' ? 'Running' : 'Pending';
  }

  get isDeleting(): boolean {
    return this.deleting;
  }

  get isLost(): boolean {
    return this.lost;
  }

  /** Waiting on a missing ConfigMap/Secret/image, or Docker refused to create it: apply retries it. */
  get isBroken(): boolean {
    return this.stage === 'waiting' || this.stage === 'failed-to-create';
  }

  get podIP(): string | undefined {
    return this.address.ip;
  }

  /** Hands the pod to another owner (an adopted pod to its object's controller). */
  setOwner(owner: PodOwner): void {
    this.owner = owner;
  }

  /** Restarts of all containers. */
  get restarts(): number {
    return this.slots.reduce((n, s) => n + s.restarts, 0);
  }

  /** The spec name of one of its containers (not the sandbox), by Docker ID. */
  containerName(id: string): string | undefined {
    return this.slots.find((s) => s.id === id)?.name;
  }

  /** The declared ports of its containers, in order. */
  containerPorts(): number[] {
    const ports: number[] = [];
    for (const s of this.slots) {
      if (s.init) continue;
      for (const p of childArray(s.spec, 'ports') ?? []) {
        if (isJSONObject(p) && typeof p.containerPort === 'number') ports.push(p.containerPort);
      }
    }
    return ports;
  }

  status(): PodStatus {
    const phase = this.phase;
    const apps = this.slots.filter((s) => !s.init);
    return {
      name: this.name,
      namespace: this.namespace,
      owner: ownerName(this.object),
      phase,
      ready: phase === 'Running' && apps.every((s) => s.ready),
      containers: this.slots.map((s) => s.status()),
      createdAt: this.createdAt,
      deleting: this.deleting,
    };
  }

  private changed(): void {
    if (!this.detached) this.owner.podChanged(this);
  }

  private identity(): PodIdentity {
    return {
      name: this.name,
      namespace: this.namespace,
      labels: this.labels,
      hostname: childString(this.spec, 'hostname') || this.name,
      subdomain: childString(this.spec, 'subdomain') || this.init.subdomain,
    };
  }

  // -------------------------------------------------------------------------
  // Logs and events

  private eventLog(text: string, container?: string, level: 'INFO' | 'WARN' = 'INFO'): void {
    if (this.detached) return;
    const span = container ? `pod:${this.name}:${container}` : `pod:${this.name}`;
    this.ctx.events().log(this.resource, span, `[event: ${text}]\n`, level);
  }

  private enqueue(fn: () => Promise<void> | void): Promise<void> {
    const next = this.chain.then(fn).catch((err: unknown) => {
      if (this.deleting || this.detached) return;
      const message = err instanceof Error ? err.message : String(err);
      this.eventLog(`${this.name}: ${message}`, undefined, 'WARN');
    });
    this.chain = next;
    return next;
  }

  /** Like enqueue, but the caller gets the outcome (enqueue reports failures as pod events). */
  private inQueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private active(): boolean {
    return !this.deleting && !this.lost && !this.detached && this.stage !== 'finished';
  }

  // -------------------------------------------------------------------------
  // Creating

  /**
   * Shows the pod as waiting (no containers made) with `reason`, e.g. when its
   * image is missing.
   */
  markWaiting(reason: string, message: string, container?: string): void {
    this.stage = 'waiting';
    for (const s of this.slots) {
      if (container === undefined || s.name === container) s.waiting(reason, message);
      else s.waiting('ContainerCreating');
    }
    this.changed();
  }

  /**
   * Creates the sandbox and every container (started later, in order). A missing
   * ConfigMap or Secret leaves the pod waiting; Docker refusing the spec throws
   * PodLaunchError.
   */
  launch(): Promise<void> {
    this.launching ??= this.launchNow();
    return this.launching;
  }

  private async launchNow(): Promise<void> {
    this.changed();
    const field = () => this.fieldResolver();
    try {
      const plan = planVolumes(this.spec, {
        project: this.ctx.project,
        namespace: this.namespace,
        podKey: this.key,
        podDir: this.podDir,
        lookup: this.ctx.store,
        field: field(),
        claimTemplates: this.init.claimTemplates,
      });
      this.volumes = plan.volumes;
      for (const w of plan.warnings) this.eventLog(w, undefined, 'WARN');
      // Checked before anything is made, so that a missing key leaves nothing behind.
      for (const s of this.slots) resolveEnv(s.spec, this.namespace, this.ctx.store, field());
    } catch (err) {
      if (!(err instanceof ConfigRefError)) throw err;
      const reason = err.reason === 'FailedMount' ? 'ContainerCreating' : err.reason;
      this.eventLog(err.message, undefined, 'WARN');
      this.markWaiting(reason, err.message);
      return;
    }

    this.aliases = this.ctx.aliasesFor(this.identity());
    if (this.volumes.some((v) => v.kind === 'files')) this.ctx.prepareStateDir();
    try {
      await makePod(this.ctx.docker, this.toMake(), {
        store: this.ctx.store,
        fields: () => this.fieldResolver(),
        claimLabels: (claim) => this.ctx.claimLabels(this.resource, this.namespace, claim),
        repairSandbox: () => this.ctx.repairSandbox(),
        warn: (text, container) => this.eventLog(text, container, 'WARN'),
        made: (which, id, address) => {
          if (which === 'sandbox') {
            this.sandboxId = id;
            if (address) this.address = address;
          } else {
            this.slots[which]!.id = id;
          }
          this.ctx.track(id, this);
        },
        cancelled: () => this.deleting,
      });
    } catch (err) {
      const message = engineMessage(err);
      this.stage = 'failed-to-create';
      for (const s of this.slots) s.waiting('CreateContainerError', message);
      this.eventLog(`Error: ${message}`, undefined, 'WARN');
      this.changed();
      throw new PodLaunchError(this.name, message, { cause: err });
    }
    if (this.deleting) return;
    const hasInit = this.slots.some((s) => s.init);
    this.stage = hasInit ? 'init' : 'running';
    for (const s of this.slots) {
      s.waiting(hasInit ? 'PodInitializing' : 'ContainerCreating');
    }
    this.changed();
    void this.enqueue(() => this.advance());
  }

  private toMake(): PodToMake {
    return {
      project: this.ctx.project,
      network: this.ctx.network,
      resource: this.resource,
      object: this.object,
      name: this.name,
      key: this.key,
      namespace: this.namespace,
      specHash: this.specHash,
      record: {
        namespace: this.namespace,
        labels: this.labels,
        spec: this.spec,
        createdAt: this.createdAt,
      },
      hostname: this.identity().hostname,
      aliases: this.aliases,
      volumes: this.volumes,
      containers: this.slots,
    };
  }

  private fieldResolver(): FieldResolver {
    return podFieldResolver({
      name: this.name,
      namespace: this.namespace,
      uid: this.uid,
      labels: this.labels,
      annotations: this.annotations,
      podIP: this.address.ip,
      hostIP: this.address.gateway,
      nodeName: os.hostname(),
      serviceAccountName: childString(this.spec, 'serviceAccountName') || 'default',
    });
  }

  // -------------------------------------------------------------------------
  // Running

  /** Starts what is next: the first unfinished init container, else the containers. */
  private async advance(): Promise<void> {
    if (!this.active()) return;
    if (this.stage === 'init') {
      const next = this.slots.find((s) => s.init && !s.done);
      if (next) {
        if (next.startable) await this.startSlot(next);
        return;
      }
      this.stage = 'running';
      for (const s of this.slots) if (!s.init && !s.hasRun) s.waiting('ContainerCreating');
      this.changed();
    }
    if (this.stage !== 'running') return;
    for (const s of this.slots.filter((x) => !x.init)) {
      if (!this.active()) return;
      if (s.startable) await this.startSlot(s);
    }
  }

  /** Starts the container; false when it could not be started (handled as Kubernetes does). */
  private async startSlot(slot: ContainerSlot): Promise<boolean> {
    const container = this.ctx.docker.getContainer(slot.id);
    slot.starting = true;
    try {
      await container.start();
    } catch (err) {
      const status = statusOf(err);
      if (status === 304) {
        await this.syncSlot(slot);
        return true;
      }
      if (status === 404) {
        this.markLost(`container ${slot.name} was removed`);
        return false;
      }
      // The process could not be started (no such executable...): Kubernetes' StartError.
      const message = engineMessage(err);
      this.eventLog(
        `Error: failed to start container "${slot.name}": ${message}`,
        slot.name,
        'WARN',
      );
      const info = await ignoreGone(() => container.inspect());
      if (info) {
        slot.startedAt = info.State.StartedAt;
        slot.finishedAt = info.State.FinishedAt;
      }
      this.handleExit(slot, 128, 'StartError', Date.now(), 0);
      return false;
    } finally {
      slot.starting = false;
    }
    await this.syncSlot(slot);
    return true;
  }

  /**
   * Brings a container's status up to date with Docker: a new run (start) and an
   * exit are each handled once, whether the event or our own start came first.
   */
  private async syncSlot(slot: ContainerSlot, logsSince?: string): Promise<void> {
    if (!slot.id || this.deleting || this.detached) return;
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.ctx.docker.getContainer(slot.id).inspect();
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
      this.markLost(`container ${slot.name} was removed`);
      return;
    }
    const st = info.State;
    if (hasRun(st.StartedAt) && st.StartedAt !== slot.startedAt) {
      // Output of earlier runs was shown already (or, when adopting, came before tilt's
      // time). Not since StartedAt: the process may write before Docker records it.
      slot.running(st.StartedAt, this.followLogs(slot, logsSince ?? sinceAfter(slot.finishedAt)));
      if (st.Running) slot.watchReadiness(this.readinessProber(slot));
      this.changed();
    }
    // Every exit is handled, so a FinishedAt not seen yet is a new one. (Not compared
    // with StartedAt: Docker may record a quick process's exit before its start.)
    const exited =
      hasRun(st.StartedAt) &&
      !st.Running &&
      hasRun(st.FinishedAt) &&
      st.FinishedAt !== slot.finishedAt;
    if (exited) {
      slot.finishedAt = st.FinishedAt;
      await slot.drainLogs(LOG_DRAIN_MS);
      const reason = st.OOMKilled ? 'OOMKilled' : st.ExitCode === 0 ? 'Completed' : 'Error';
      const ran = Date.parse(st.FinishedAt) - Date.parse(st.StartedAt);
      this.handleExit(slot, st.ExitCode, reason, Date.parse(st.FinishedAt), ran);
    }
  }

  private followLogs(slot: ContainerSlot, since: string) {
    const prefix = this.slots.length > 1 ? `[${slot.name}] ` : '';
    const span = `pod:${this.name}:${slot.name}`;
    return followLogs(this.ctx.docker.getContainer(slot.id), {
      tty: slot.spec.tty === true,
      since,
      onLines: (lines) => {
        if (this.detached) return;
        this.ctx.events().log(this.resource, span, lines.map((l) => `${prefix}${l}\n`).join(''));
      },
    });
  }

  private readinessProber(slot: ContainerSlot): ReadinessProber | undefined {
    const spec = slot.spec.readinessProbe;
    if (!isJSONObject(spec)) return undefined;
    const ports = childArray(slot.spec, 'ports') ?? [];
    const namedPort = (name: string) => {
      for (const p of ports) {
        if (isJSONObject(p) && p.name === name && typeof p.containerPort === 'number') {
          return p.containerPort;
        }
      }
      return undefined;
    };
    const target = {
      container: this.ctx.docker.getContainer(slot.id),
      podIP: () => this.address.ip,
      namedPort,
    };
    return new ReadinessProber(spec, target, (ready, result, changed) => {
      if (!this.active() || slot.state.state !== 'running') return;
      const outcome = slot.probeResult(result.success, result.message, ready, changed);
      if (outcome.report !== undefined) {
        this.eventLog(`Readiness probe failed: ${outcome.report}`, slot.name, 'WARN');
      }
      if (outcome.changed) this.changed();
    });
  }

  private handleExit(
    slot: ContainerSlot,
    exitCode: number,
    reason: string,
    finishedAt: number,
    ranMs: number,
  ): void {
    slot.terminated(exitCode, reason, finishedAt, ranMs);
    if (this.noRestarts) {
      // A pod being stopped for good (a failed Job): its containers end here.
      slot.settle();
      this.changed();
      this.checkFinished();
      return;
    }
    if (!this.active()) {
      this.changed();
      return;
    }
    if (slot.init) {
      if (exitCode === 0) {
        slot.done = true;
        this.changed();
        void this.enqueue(() => this.advance());
      } else if (this.restartPolicy === 'Never') {
        this.finish('Failed');
      } else {
        this.restartOrGiveUp(slot);
      }
      return;
    }
    const wantsRestart =
      this.restartPolicy === 'Always' || (this.restartPolicy === 'OnFailure' && exitCode !== 0);
    if (wantsRestart) {
      this.restartOrGiveUp(slot);
      return;
    }
    slot.done = true;
    this.changed();
    this.checkFinished();
  }

  private restartOrGiveUp(slot: ContainerSlot): void {
    if (this.owner.mayRestart?.(this) === false) {
      // A Job past its backoffLimit: this pod fails.
      slot.settle();
      void this.terminate();
      return;
    }
    slot.backOff(this.ctx.backoffBaseMs, this.ctx.backoffMaxMs, this.name, () => {
      void this.enqueue(async () => {
        if (!this.active()) return;
        slot.restarts++;
        await this.startSlot(slot);
      });
    });
    this.eventLog(
      `Back-off restarting failed container ${slot.name} in pod ${this.name}`,
      slot.name,
      'WARN',
    );
    this.changed();
  }

  /**
   * Restarts a running container in place, keeping its filesystem (live update's
   * restart_container): stopped at once, as `docker restart -t 0`, and started
   * again. A deliberate stop, not a crash: no restart counted, no back-off.
   */
  restartContainer(id: string): Promise<void> {
    return this.inQueue(async () => {
      const slot = this.slots.find((s) => s.id === id);
      if (!slot) throw new Error(`pod ${this.name} has no container ${id.slice(0, 12)}`);
      if (!this.active() || slot.init || slot.state.state !== 'running') {
        throw new Error(`container ${slot.name} of pod ${this.name} is not running`);
      }
      const container = this.ctx.docker.getContainer(id);
      // Its probe would fail while it is down; the new run gets a new one.
      slot.stopActivity();
      slot.ready = false;
      try {
        await container.stop({ t: 0 });
      } catch (err) {
        const status = statusOf(err);
        if (status === 404) this.markLost(`container ${slot.name} was removed`);
        // 304: it exited by itself just now; that exit is handled as any other.
        else if (status === 304) await this.syncSlot(slot);
        throw new Error(
          `could not restart container ${slot.name} of pod ${this.name}: ${engineMessage(err)}`,
          { cause: err },
        );
      }
      const info = await ignoreGone(() => container.inspect());
      if (!info) {
        this.markLost(`container ${slot.name} was removed`);
        throw new Error(`container ${slot.name} of pod ${this.name} was removed`);
      }
      // The stop's exit counts as handled, so its 'die' event is not taken for a
      // crash; the new run's output is followed from after it.
      slot.finishedAt = info.State.FinishedAt;
      await slot.drainLogs(LOG_DRAIN_MS);
      if (!this.active()) return;
      if (!(await this.startSlot(slot))) {
        throw new Error(`container ${slot.name} of pod ${this.name} could not start again`);
      }
    });
  }

  private checkFinished(): void {
    if (this.stage === 'finished') return;
    if (this.stage !== 'running' && !this.noRestarts) return;
    const apps = this.slots.filter((s) => !s.init);
    if (!apps.every((s) => s.done || (this.noRestarts && !s.hasRun))) return;
    const failed =
      this.stage !== 'running' ||
      apps.some((s) => s.lastExit === undefined || s.lastExit.exitCode !== 0);
    this.finish(failed ? 'Failed' : 'Succeeded');
  }

  /** The pod ran to its end: its sandbox is stopped, its containers stay for their logs. */
  private finish(phase: 'Succeeded' | 'Failed'): void {
    this.stage = 'finished';
    this.finalPhase = phase;
    for (const s of this.slots) s.stopActivity();
    for (const s of this.slots) if (s.hasRun) s.settle();
    if (this.sandboxId) {
      const sandbox = this.ctx.docker.getContainer(this.sandboxId);
      void ignoreGone(() => sandbox.kill()).catch(() => undefined);
    }
    this.changed();
  }

  /** Stops the pod for good, as a failed Job's pods are: no more restarts, phase Failed. */
  async terminate(): Promise<void> {
    if (this.noRestarts || this.stage === 'finished' || this.deleting) return;
    this.noRestarts = true;
    const grace = this.gracePeriodSeconds();
    const running = this.slots.filter((s) => s.state.state === 'running');
    for (const s of this.slots) {
      if (running.includes(s)) s.stopActivity();
      else if (!s.done) s.settle();
    }
    this.changed();
    await Promise.all(
      running.map((s) => ignoreGone(() => this.ctx.docker.getContainer(s.id).stop({ t: grace }))),
    );
    // Their exits arrive as events too; a pod with nothing running ends now.
    void this.enqueue(async () => {
      for (const s of running) await this.syncSlot(s);
      this.checkFinished();
    });
  }

  private gracePeriodSeconds(): number {
    const v = this.spec.terminationGracePeriodSeconds;
    return typeof v === 'number' && v >= 0 ? v : DEFAULT_GRACE_SECONDS;
  }

  // -------------------------------------------------------------------------
  // Docker events

  /** A Docker event about one of the pod's containers. */
  onEvent(ev: ContainerEvent): void {
    if (this.deleting || this.detached || this.lost) return;
    if (ev.id === this.sandboxId) {
      if (ev.action === 'destroy' || (ev.action === 'die' && this.stage !== 'finished')) {
        this.markLost('its sandbox stopped');
      }
      return;
    }
    const slot = this.slots.find((s) => s.id === ev.id);
    if (!slot) return;
    if (ev.action === 'destroy') {
      this.markLost(`container ${slot.name} was removed`);
      return;
    }
    if (ev.action === 'start' || ev.action === 'die') void this.enqueue(() => this.syncSlot(slot));
  }

  /** After the event stream was broken: catch up with what happened meanwhile. */
  resync(): void {
    if (this.deleting || this.detached || this.lost) return;
    void this.enqueue(async () => {
      if (this.sandboxId && this.stage !== 'finished') {
        const info = await ignoreGone(() => this.ctx.docker.getContainer(this.sandboxId).inspect());
        if (!info || !info.State.Running) {
          this.markLost('its sandbox stopped');
          return;
        }
      }
      for (const s of this.slots) await this.syncSlot(s);
    });
  }

  private markLost(reason: string): void {
    if (this.lost || this.deleting) return;
    this.lost = true;
    for (const s of this.slots) s.stopActivity();
    this.eventLog(`pod ${this.name}: ${reason}`, undefined, 'WARN');
    this.owner.podLost(this, reason);
  }

  // -------------------------------------------------------------------------
  // DNS names

  /** Gives the sandbox the DNS names of the Services that now select the pod. */
  async refreshAliases(): Promise<void> {
    if (!this.sandboxId || !this.active()) return;
    const wanted = this.ctx.aliasesFor(this.identity());
    if (sameList(wanted, this.aliases)) return;
    await this.enqueue(async () => {
      if (!this.active()) return;
      await setAliases(this.ctx.docker, this.ctx.network, this.sandboxId, wanted);
      this.aliases = wanted;
      const info = await this.ctx.docker.getContainer(this.sandboxId).inspect();
      this.address = addressOf(info, this.ctx.network);
    });
  }

  // -------------------------------------------------------------------------
  // Removing

  /** Stops (within the pod's grace period) and removes its containers, sandbox and own volumes. */
  remove(): Promise<void> {
    if (this.removal) return this.removal;
    this.deleting = true;
    for (const s of this.slots) s.stopActivity();
    if (!this.detached) this.owner.podChanged(this);
    const docker = this.ctx.docker;
    const grace = this.gracePeriodSeconds();
    this.removal = (async () => {
      // Whatever a launch in progress makes is removed with the rest.
      await this.launching?.catch(() => undefined);
      const apps = this.slots.filter((s) => s.id);
      await Promise.all(
        apps.map((s) =>
          ignoreGone(() => docker.getContainer(s.id).stop({ t: grace })).catch(() => undefined),
        ),
      );
      for (const s of this.slots) s.stopLogs();
      const ids = [...apps.map((s) => s.id), this.sandboxId].filter((id) => id);
      // Found by label too: a launch cut short may have left containers we hold no ID of.
      const labelled = await docker.listContainers({
        all: true,
        filters: {
          label: [
            `${LABEL_PROJECT}=${this.ctx.project}`,
            `${LABEL_POD}=${this.name}`,
            `${LABEL_OBJECT}=${objectLabel(this.object)}`,
          ],
        },
      });
      for (const c of labelled) if (!ids.includes(c.Id)) ids.push(c.Id);
      await Promise.all(
        ids.map((id) => ignoreGone(() => docker.getContainer(id).remove({ force: true }))),
      );
      for (const id of ids) this.ctx.untrack(id);
      await removePodVolumes(
        docker,
        [
          `${LABEL_PROJECT}=${this.ctx.project}`,
          `${LABEL_POD}=${this.name}`,
          `${LABEL_OBJECT}=${objectLabel(this.object)}`,
        ],
        this.podDir,
      );
    })();
    return this.removal;
  }

  /** Stops following the pod (timers, probes, logs); its containers keep running. */
  detach(): void {
    this.detached = true;
    for (const s of this.slots) {
      s.stopActivity();
      s.stopLogs();
    }
  }

  // -------------------------------------------------------------------------
  // Adopting

  /**
   * A pod an earlier run left on the engine, rebuilt from its containers' labels.
   * Returns undefined when the containers do not make a whole pod.
   */
  static async adopt(
    containers: Docker.ContainerInspectInfo[],
    ctx: PodRuntimeContext,
    owner: PodOwner,
    since: number,
  ): Promise<PodRunner | undefined> {
    const sandboxInfo = containers.find(
      (c) => readContainerLabels(c.Config.Labels)?.role === 'sandbox',
    );
    const sandboxLabels = readContainerLabels(sandboxInfo?.Config.Labels);
    const record = sandboxLabels?.record;
    if (!sandboxInfo || !sandboxLabels || !record) return undefined;
    const policy = childString(record.spec, 'restartPolicy');
    const runner = new PodRunner(
      {
        resource: sandboxLabels.resource,
        object: sandboxLabels.object,
        name: sandboxLabels.pod,
        namespace: record.namespace,
        labels: record.labels,
        annotations: {},
        spec: record.spec,
        specHash: sandboxLabels.specHash,
        restartPolicy: (policy || 'Always') as RestartPolicy,
        createdAt: record.createdAt,
      },
      ctx,
      owner,
    );
    runner.sandboxId = sandboxInfo.Id;
    ctx.track(sandboxInfo.Id, runner);
    runner.address = addressOf(sandboxInfo, ctx.network);
    const net = sandboxInfo.NetworkSettings?.Networks?.[ctx.network];
    runner.aliases = ((net?.Aliases ?? []) as string[])
      .filter((a) => !sandboxInfo.Id.startsWith(a))
      .sort();

    for (const s of runner.slots) {
      const info = containers.find((c) => {
        const l = readContainerLabels(c.Config.Labels);
        return l?.role === (s.init ? 'init' : 'app') && l.container === s.name;
      });
      if (!info) {
        runner.lost = true;
        return runner;
      }
      s.id = info.Id;
      ctx.track(info.Id, runner);
    }
    const appsStarted = runner.slots.some(
      (s) => !s.init && hasRun(containerState(containers, s.id)?.StartedAt),
    );
    runner.stage = appsStarted || !runner.slots.some((s) => s.init) ? 'running' : 'init';
    for (const s of runner.slots) {
      s.waiting(runner.stage === 'init' ? 'PodInitializing' : 'ContainerCreating');
    }
    // A pod whose sandbox stopped (the engine restarted) cannot run again, unless it
    // had run to its end anyway.
    const sandboxDown = !sandboxInfo.State.Running;
    if (sandboxDown && runner.restartPolicy === 'Always') {
      runner.lost = true;
      return runner;
    }
    // Output from before this run of tilt is not shown again.
    const logsSince = dockerSince(since);
    for (const s of runner.slots) await runner.syncSlot(s, logsSince);
    if (sandboxDown && (runner.stage as Stage) !== 'finished') {
      runner.lost = true;
      for (const s of runner.slots) s.stopActivity();
      return runner;
    }
    void runner.enqueue(() => runner.advance());
    return runner;
  }
}

function containerState(containers: Docker.ContainerInspectInfo[], id: string) {
  return containers.find((c) => c.Id === id)?.State;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// One workload object (Deployment, StatefulSet, ReplicaSet, DaemonSet, Pod, Job)
// and its pods: keeps as many pods of the current spec hash as it asks for,
// replaces pods whose spec changed, replaces pods that disappeared, and runs a
// Job's pods to completion within its backoffLimit.

import { childString } from '../../k8s/json.js';
import type { ApplyOptions, PodStatus } from '../workload.js';
import { isUnreachable } from './docker-errors.js';
import { ownerName, type ObjectRef } from './labels.js';
import { podName } from './names.js';
import { PodLaunchError, PodRunner, type PodOwner, type PodRuntimeContext } from './pod-runner.js';
import { podSpecHash } from './spec-hash.js';
import { podContainers, type WorkloadPlan } from './workloads.js';

/** Why an image cannot be run, as a container's waiting reason. */
export interface ImageProblem {
  reason: 'ErrImageNeverPull' | 'ErrImagePull';
  message: string;
}

export interface ControllerContext extends PodRuntimeContext {
  /** The resource's pods changed: report them. */
  podsChanged(resource: string): void;
  /** Runs `fn` after the resource's other applies and deletes. */
  serialize<T>(resource: string, fn: () => Promise<T>): Promise<T>;
  /** Keeps a removal running in the background in view (delete waits for them). */
  trackRemoval(resource: string, removal: Promise<void>): void;
  /** Checks (and pulls, unless the policy says Never) the image of a container. */
  checkImage(
    image: string,
    pullPolicy: string,
    opts: ApplyOptions,
  ): Promise<ImageProblem | undefined>;
}

interface JobProgress {
  outcome?: 'complete' | 'failed';
  retryTimer?: NodeJS.Timeout;
}

export class WorkloadController implements PodOwner {
  readonly pods: PodRunner[] = [];
  private plan: WorkloadPlan | undefined;
  private specHash = '';
  private job: JobProgress = {};
  private removed = false;

  constructor(
    readonly resource: string,
    readonly ref: ObjectRef,
    private readonly ctx: ControllerContext,
  ) {}

  get owner(): string {
    return ownerName(this.ref);
  }

  /** The first declared port of the pod template, for port-forwards. */
  firstContainerPort(): number | undefined {
    if (!this.plan) return undefined;
    for (const c of podContainers(this.plan.spec)) {
      if (c.init) continue;
      const ports = c.spec.ports;
      if (!Array.isArray(ports)) continue;
      for (const p of ports) {
        if (
          p &&
          typeof p === 'object' &&
          !Array.isArray(p) &&
          typeof p.containerPort === 'number'
        ) {
          return p.containerPort;
        }
      }
    }
    return undefined;
  }

  statuses(): PodStatus[] {
    return this.pods.map((p) => p.status());
  }

  /** A pod found on the engine at start. */
  adoptPod(pod: PodRunner): void {
    pod.setOwner(this);
    this.pods.push(pod);
    if (pod.isLost) this.podLost(pod, 'incomplete');
  }

  // -------------------------------------------------------------------------
  // PodOwner

  podChanged(_pod: PodRunner): void {
    this.ctx.podsChanged(this.resource);
    this.jobProgress();
  }

  podLost(pod: PodRunner, _reason: string): void {
    void this.removePod(pod).then(() => {
      if (this.removed || !this.plan || this.ref.kind === 'Pod') return;
      // Controllers replace pods that disappear; a Job counts it as a failure and retries.
      return this.ctx.serialize(this.resource, async () => {
        if (this.removed) return;
        if (this.plan?.job) this.jobProgress();
        else await this.fillReplicas().catch((err: unknown) => this.warn(err));
      });
    });
  }

  mayRestart(_pod: PodRunner): boolean {
    const job = this.plan?.job;
    if (!job || this.plan?.restartPolicy !== 'OnFailure') return true;
    const restarts = this.livePods().reduce((n, p) => n + p.restarts, 0);
    return restarts < job.backoffLimit;
  }

  // -------------------------------------------------------------------------
  // Apply

  /**
   * Makes the object's pods match `plan`. Resolves once new pods are created on
   * the engine; returns what went wrong, in words, for the ApplyError.
   */
  async apply(plan: WorkloadPlan, opts: ApplyOptions = {}): Promise<string[]> {
    const { log } = opts;
    this.plan = plan;
    this.removed = false;
    const hash = podSpecHash(plan, this.ctx.store);
    this.specHash = hash;
    const current = this.pods.filter((p) => !p.isDeleting);
    const fresh = (p: PodRunner) => p.specHash === hash && !p.isBroken && !p.isLost;
    const keep = current.filter(fresh);
    const stale = current.filter((p) => !fresh(p));

    const imageProblems = await this.checkImages(plan, opts);

    if (plan.job) {
      for (const p of stale) void this.removePod(p);
      if (keep.length > 0) {
        log?.(`${this.owner} is unchanged`);
        this.jobProgress();
        return [];
      }
      this.clearJobTimer();
      this.job = {};
      const count = Math.min(plan.job.parallelism, plan.job.completions);
      return this.startPods(
        Array.from({ length: count }, (_, i) => i),
        imageProblems,
        log,
      );
    }

    if (plan.naming === 'fixed' || plan.naming === 'ordinal') {
      const wanted = Array.from({ length: plan.replicas }, (_, i) => i);
      const names = new Set(wanted.map((i) => this.nameFor(i)));
      const missing: number[] = [];
      for (const i of wanted) {
        const name = this.nameFor(i);
        if (keep.some((p) => p.name === name)) continue;
        // Same name: the old pod must be gone before the new one is made.
        await Promise.all(stale.filter((p) => p.name === name).map((p) => this.removePod(p)));
        missing.push(i);
      }
      for (const p of current) {
        if (!names.has(p.name) && !p.isDeleting) void this.removePod(p);
      }
      if (missing.length === 0) log?.(`${this.owner} is unchanged`);
      return this.startPods(missing, imageProblems, log);
    }

    const keepers = keep.sort((a, b) => a.createdAt - b.createdAt).slice(0, plan.replicas);
    for (const p of current) {
      if (!keepers.includes(p)) void this.removePod(p);
    }
    const count = plan.replicas - keepers.length;
    if (count === 0) log?.(`${this.owner} is unchanged`);
    return this.startPods(
      Array.from({ length: count }, (_, i) => i),
      imageProblems,
      log,
    );
  }

  /** Applies the last plan again: pods waiting on ConfigMaps or Secrets get another chance. */
  async retry(): Promise<void> {
    if (!this.plan || this.removed) return;
    for (const p of await this.apply(this.plan)) this.warn(new Error(p));
  }

  private nameFor(ordinal: number): string {
    return podName(this.plan!.naming, this.ref.name, { specHash: this.specHash, ordinal });
  }

  private async checkImages(
    plan: WorkloadPlan,
    opts: ApplyOptions = {},
  ): Promise<Map<string, ImageProblem>> {
    const problems = new Map<string, ImageProblem>();
    const checked = new Map<string, ImageProblem | undefined>();
    for (const c of podContainers(plan.spec)) {
      if (!checked.has(c.image)) {
        const policy = childString(c.spec, 'imagePullPolicy');
        checked.set(c.image, await this.ctx.checkImage(c.image, policy, opts));
      }
      const problem = checked.get(c.image);
      if (problem) problems.set(c.name, problem);
    }
    return problems;
  }

  /** Creates pods (ordinals for StatefulSets) and waits until they are made on the engine. */
  private async startPods(
    ordinals: number[],
    imageProblems: Map<string, ImageProblem>,
    log?: (line: string) => void,
  ): Promise<string[]> {
    const pods = ordinals.map((ordinal) => this.newPod(ordinal));
    const problems: string[] = [];
    for (const [container, problem] of imageProblems) {
      problems.push(`${this.owner}: container "${container}": ${problem.message}`);
    }
    await Promise.all(
      pods.map(async (pod) => {
        const [first] = imageProblems;
        if (first) {
          pod.markWaiting(first[1].reason, first[1].message, first[0]);
          return;
        }
        log?.(`Starting pod ${pod.name} (${this.owner})`);
        try {
          await pod.launch();
        } catch (err) {
          if (!(err instanceof PodLaunchError)) throw err;
          // An engine that went away is no problem of this object.
          if (isUnreachable(err.cause)) throw err.cause;
          problems.push(`${this.owner}: pod ${pod.name}: ${err.message}`);
        }
      }),
    );
    return problems;
  }

  private newPod(ordinal: number): PodRunner {
    const plan = this.plan!;
    const name = this.nameFor(ordinal);
    const pod = PodRunner.create(
      {
        resource: this.resource,
        object: this.ref,
        name,
        namespace: this.ref.namespace,
        labels: plan.labels,
        annotations: plan.annotations,
        spec: plan.spec,
        specHash: this.specHash,
        restartPolicy: plan.restartPolicy,
        createdAt: Date.now(),
        claimTemplates:
          plan.claimTemplates.length > 0
            ? { names: plan.claimTemplates, setName: this.ref.name, ordinal }
            : undefined,
        subdomain: plan.serviceName,
      },
      this.ctx,
      this,
    );
    this.pods.push(pod);
    return pod;
  }

  /** Brings the number of pods back to the plan's after one disappeared. */
  private async fillReplicas(): Promise<void> {
    const plan = this.plan;
    if (!plan || this.removed) return;
    const live = this.livePods();
    const missing: number[] = [];
    if (plan.naming === 'ordinal' || plan.naming === 'fixed') {
      for (let i = 0; i < plan.replicas; i++) {
        if (!live.some((p) => p.name === this.nameFor(i))) missing.push(i);
      }
    } else {
      for (let i = live.length; i < plan.replicas; i++) missing.push(i);
    }
    if (missing.length === 0) return;
    const problems = await this.startPods(missing, await this.checkImages(plan));
    for (const p of problems) this.warn(new Error(p));
  }

  private livePods(): PodRunner[] {
    return this.pods.filter((p) => !p.isDeleting && !p.isLost);
  }

  // -------------------------------------------------------------------------
  // Jobs

  /** Counts a Job's finished pods; starts the next pod, or declares the Job complete or failed. */
  private jobProgress(): void {
    const plan = this.plan;
    const job = plan?.job;
    if (!plan || !job || this.removed || this.job.outcome) return;
    const live = this.pods.filter((p) => !p.isDeleting);
    const succeeded = live.filter((p) => p.phase === 'Succeeded').length;
    const failed = live.filter((p) => !p.isLost && p.phase === 'Failed').length;
    const active = live.filter(
      (p) => !p.isLost && (p.phase === 'Pending' || p.phase === 'Running'),
    );
    if (succeeded >= job.completions) {
      this.job.outcome = 'complete';
      this.clearJobTimer();
      this.jobEvent('Job completed');
      return;
    }
    // With OnFailure, a pod fails only once its restarts used up the backoffLimit.
    if (failed > job.backoffLimit || (failed > 0 && plan.restartPolicy === 'OnFailure')) {
      this.job.outcome = 'failed';
      this.clearJobTimer();
      this.jobEvent('Job has reached the specified backoff limit', 'WARN');
      for (const p of active) void p.terminate();
      return;
    }
    const wanted = Math.min(job.parallelism, job.completions - succeeded) - active.length;
    if (wanted <= 0 || this.job.retryTimer) return;
    // Kubernetes backs off before replacing failed pods: 10s, 20s, 40s...
    const delay =
      failed === 0
        ? 0
        : Math.min(this.ctx.backoffBaseMs * 2 ** (failed - 1), this.ctx.backoffMaxMs);
    const create = () => {
      this.job.retryTimer = undefined;
      if (this.removed || this.job.outcome) return;
      void this.ctx.serialize(this.resource, async () => {
        if (this.removed || this.job.outcome) return;
        const stillActive = this.livePods().filter(
          (p) => p.phase === 'Pending' || p.phase === 'Running',
        );
        const count = Math.min(job.parallelism, job.completions - succeeded) - stillActive.length;
        if (count <= 0) return;
        const ordinals = Array.from({ length: count }, (_, i) => i);
        const problems = await this.startPods(ordinals, await this.checkImages(plan));
        for (const p of problems) this.warn(new Error(p));
      });
    };
    if (delay === 0) create();
    else {
      this.job.retryTimer = setTimeout(create, delay);
      this.job.retryTimer.unref();
    }
  }

  private jobEvent(text: string, level: 'INFO' | 'WARN' = 'INFO'): void {
    this.ctx
      .events()
      .log(this.resource, `job:${this.ref.name}`, `[event: ${this.owner}: ${text}]\n`, level);
  }

  private clearJobTimer(): void {
    if (this.job.retryTimer) clearTimeout(this.job.retryTimer);
    this.job.retryTimer = undefined;
  }

  // -------------------------------------------------------------------------
  // Removing

  private removePod(pod: PodRunner): Promise<void> {
    const removal = pod
      .remove()
      .catch((err: unknown) => this.warn(err))
      .finally(() => {
        const i = this.pods.indexOf(pod);
        if (i >= 0) this.pods.splice(i, 1);
        this.ctx.podsChanged(this.resource);
      });
    this.ctx.trackRemoval(this.resource, removal);
    return removal;
  }

  /** Removes every pod of the object (for a delete, or an object the resource no longer has). */
  async remove(): Promise<void> {
    this.removed = true;
    this.clearJobTimer();
    await Promise.all(this.pods.map((p) => this.removePod(p)));
  }

  /** Stops timers; pods keep running. */
  detach(): void {
    this.removed = true;
    this.clearJobTimer();
    for (const p of this.pods) p.detach();
  }

  private warn(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.ctx
      .events()
      .log(
        this.resource,
        `${this.ref.kind.toLowerCase()}:${this.ref.name}`,
        `${message}\n`,
        'WARN',
      );
  }
}

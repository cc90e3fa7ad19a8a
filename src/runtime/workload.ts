// The contract between the engine and a runtime that runs Kubernetes workloads:
// the embedded Docker runtime (runtime/docker) and, later, a real cluster.
// The engine hands over a resource's objects with the built images injected;
// the runtime makes them run, reports pods, streams their logs, connects
// port-forwards, and deletes exactly what it made.

import type { Duplex, Readable } from 'node:stream';
import type { K8sEntity } from '../k8s/entity.js';

export type RuntimeKind = 'docker' | 'kubernetes';

/** A container's state, as Kubernetes reports it. */
export type ContainerState =
  | { state: 'waiting'; reason: string; message?: string }
  | { state: 'running'; startedAt: number }
  | { state: 'terminated'; exitCode: number; reason: string; finishedAt: number };

export interface ContainerStatus {
  name: string;
  image: string;
  /** The runtime's ID of the container (a Docker container ID). */
  id: string;
  state: ContainerState;
  ready: boolean;
  restarts: number;
  /** True for init containers. */
  init: boolean;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

/** One pod of a resource. */
export interface PodStatus {
  name: string;
  namespace: string;
  /** The workload that owns it, e.g. `deployment/app`, `job/migrate`, `pod/web`. */
  owner: string;
  phase: PodPhase;
  /** All containers ready (a Succeeded pod is not ready). */
  ready: boolean;
  containers: ContainerStatus[];
  /** ms since the epoch. */
  createdAt: number;
  /** Set while the pod is being replaced or removed. */
  deleting: boolean;
}

/** Objects of one resource that are not pods, e.g. a CronJob shown as not scheduled. */
export interface WorkloadNote {
  object: string;
  text: string;
}

export interface RuntimeEvents {
  /** The pods of a resource changed (all of them, newest first). */
  pods(resource: string, pods: PodStatus[]): void;
  /**
   * Output of a resource's containers and the runtime's messages about them
   * (`[event: ...]`). `text` is one or more whole lines; `spanId` names the
   * stream, e.g. `pod:app-7f9c:web`.
   */
  log(resource: string, spanId: string, text: string, level?: 'INFO' | 'WARN' | 'ERROR'): void;
}

export interface ApplyOptions {
  signal?: AbortSignal;
  /** Tilt-level messages for the resource's build log (`Starting container ...`). */
  log?: (line: string) => void;
}

export interface DeleteOptions {
  /** Also delete named volumes (PVCs). */
  deleteVolumes?: boolean;
  log?: (line: string) => void;
}

/** What failed to apply, in words for the resource's log. */
export class ApplyError extends Error {
  constructor(
    readonly resource: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ApplyError';
  }
}

/** One container of a pod, as live update addresses it. */
export interface ContainerRef {
  pod: string;
  namespace: string;
  /** The container's name in the pod spec. */
  container: string;
  /** The runtime's ID of the container. */
  id: string;
}

export interface ExecOptions {
  /** Fed to the command's stdin, then closed (live update's `tar -x`). */
  stdin?: Readable;
  /** The command's stdout and stderr, as they come. */
  output?: (text: string) => void;
  signal?: AbortSignal;
}

/**
 * An exec that could not run or finish for a reason other than the command's
 * own exit code: the container is gone, the runtime did not answer.
 */
export class ExecFailedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExecFailedError';
  }
}

export interface WorkloadRuntime {
  readonly kind: RuntimeKind;
  /** For the first lines of `tilt up`: e.g. `Docker engine at unix:///var/run/docker.sock`. */
  readonly description: string;

  /**
   * Starts reporting: finds what an earlier `tilt up` of this project left
   * running (adopting it instead of duplicating it) and reports pods and logs
   * through `events` from now on.
   */
  start(events: RuntimeEvents): Promise<void>;

  /**
   * Makes the resource's objects match `entities` (images already injected):
   * creates what is missing, replaces pods whose spec changed (a new image),
   * leaves unchanged pods running, removes objects the resource no longer has.
   */
  apply(resource: string, entities: K8sEntity[], opts?: ApplyOptions): Promise<void>;

  /** Deletes everything the resource's objects made, except objects annotated `tilt.dev/down-policy: keep`. */
  delete(resource: string, entities: K8sEntity[], opts?: DeleteOptions): Promise<void>;

  /** Pods currently known for a resource (as last reported). */
  pods(resource: string): PodStatus[];

  /**
   * A connection to `port` of the resource's newest running pod, for a
   * port-forward. Rejects with a message saying what is wrong (no pod, nothing
   * listening) instead of hanging.
   */
  connect(resource: string, port: number): Promise<Duplex>;

  /**
   * Runs `argv` in a running container (no shell unless argv asks for one) and
   * resolves to its exit code. A command that is not found exits 126 or 127,
   * as a shell would. Rejects with ExecFailedError when it cannot run at all.
   */
  exec(resource: string, c: ContainerRef, argv: string[], opts?: ExecOptions): Promise<number>;

  /**
   * Restarts a container in place (live update's restart_container), keeping
   * its filesystem; undefined when the runtime cannot (Kubernetes).
   */
  readonly restartContainer?: (resource: string, c: ContainerRef) => Promise<void>;

  /** The first declared container port of the resource's pods, for port_forwards with no container port. */
  firstContainerPort(resource: string): number | undefined;

  /** Stops reporting; everything it made keeps running (as Tilt leaves pods). */
  close(): Promise<void>;
}

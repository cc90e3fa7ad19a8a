// A workload runtime for engine tests: it records what the engine asks of it
// and reports the pods a test gives it (by default one ready pod per apply).

import type { Duplex } from 'node:stream';
import type { K8sEntity } from '../../src/k8s/entity.js';
import { containerImages } from '../../src/k8s/images.js';
import type {
  ContainerRef,
  ExecOptions,
  PodStatus,
  RuntimeEvents,
  WorkloadRuntime,
} from '../../src/runtime/workload.js';

export interface ApplyCall {
  resource: string;
  /** Container images after injection, in object order. */
  images: string[];
  kinds: string[];
}

export interface ExecCall {
  resource: string;
  container: ContainerRef;
  argv: string[];
  /** All of the input it was given, if any. */
  stdin?: Buffer;
}

export type PodsFor = (resource: string, call: ApplyCall, n: number) => PodStatus[];

/** One Running, ready pod named after the resource and the apply count. */
export const readyPod: PodsFor = (resource, call, n) => [
  pod(`${resource}-${n}`, call.images[0] ?? '', 'Running', true),
];

export function pod(
  name: string,
  image: string,
  phase: PodStatus['phase'],
  ready: boolean,
  state?: PodStatus['containers'][number]['state'],
): PodStatus {
  return {
    name,
    namespace: 'default',
    owner: `deployment/${name}`,
    phase,
    ready,
    createdAt: Date.now(),
    deleting: false,
    containers: [
      {
        name: 'main',
        image,
        id: `id-${name}`,
        state:
          state ??
          (phase === 'Running'
            ? { state: 'running', startedAt: Date.now() }
            : { state: 'waiting', reason: 'ContainerCreating' }),
        ready,
        restarts: 0,
        init: false,
      },
    ],
  };
}

export class RecordingRuntime implements WorkloadRuntime {
  readonly kind = 'docker' as const;
  readonly description = 'recording runtime';
  readonly applies: ApplyCall[] = [];
  readonly deletes: string[] = [];
  readonly execs: ExecCall[] = [];
  readonly restarts: { resource: string; container: ContainerRef }[] = [];
  /** The exit code of an exec; tests replace it to make commands fail. */
  execResult: (call: ExecCall) => number | Promise<number> = () => 0;
  private events?: RuntimeEvents;
  private readonly current = new Map<string, PodStatus[]>();

  constructor(public podsFor: PodsFor = readyPod) {}

  async start(events: RuntimeEvents): Promise<void> {
    this.events = events;
  }

  async apply(resource: string, entities: K8sEntity[]): Promise<void> {
    const call: ApplyCall = {
      resource,
      images: entities.flatMap((e) => containerImages(e).map((l) => l.image)),
      kinds: entities.map((e) => e.kind),
    };
    this.applies.push(call);
    const n = this.applies.filter((a) => a.resource === resource).length;
    this.report(resource, this.podsFor(resource, call, n));
  }

  /** Reports new pods for a resource, as a real runtime does when they change. */
  report(resource: string, pods: PodStatus[]): void {
    this.current.set(resource, pods);
    this.events?.pods(resource, pods);
  }

  log(resource: string, text: string): void {
    this.events?.log(resource, `pod:${resource}`, text);
  }

  async delete(resource: string): Promise<void> {
    this.deletes.push(resource);
    this.current.delete(resource);
  }

  pods(resource: string): PodStatus[] {
    return this.current.get(resource) ?? [];
  }

  connect(resource: string): Promise<Duplex> {
    return Promise.reject(new Error(`no running pod for resource ${JSON.stringify(resource)}`));
  }

  /** Records the call (reading stdin to its end) and answers with execResult. */
  async exec(
    resource: string,
    container: ContainerRef,
    argv: string[],
    opts: ExecOptions = {},
  ): Promise<number> {
    const call: ExecCall = { resource, container, argv };
    if (opts.stdin) {
      const chunks: Buffer[] = [];
      for await (const chunk of opts.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
      call.stdin = Buffer.concat(chunks);
    }
    this.execs.push(call);
    return this.execResult(call);
  }

  async restartContainer(resource: string, container: ContainerRef): Promise<void> {
    this.restarts.push({ resource, container });
  }

  firstContainerPort(): number | undefined {
    return undefined;
  }

  async close(): Promise<void> {
    this.events = undefined;
  }
}

// Live update of a Kubernetes resource: decides whether a batch of changed
// files can go straight into the running containers (every file covered by a
// sync of the image that deploys it, none a fall_back_on file, containers
// there and not crash-looping), copies them into every matching container at
// once, and keeps track of what each container has, so that containers that
// start later from the older image get the files too.

import { dirname } from 'node:path';
import { familiarString, nameSelector, parseRef, selectorMatches } from '../container/ref.js';
import { isUnder } from '../build/plan.js';
import { archiveMappings, splitDeleted } from '../liveupdate/archive.js';
import {
  RunStepFailure,
  updateContainer,
  type ContainerWork,
} from '../liveupdate/container-update.js';
import {
  fileList,
  hasInitialSync,
  mapThroughSync,
  planSyncs,
  restartsContainer,
  runSteps,
  syncSteps,
  triggeredRuns,
  type PathMapping,
  type RunStep,
} from '../liveupdate/plan.js';
import type { ImageTarget, Manifest } from '../model/manifest.js';
import type { ContainerRef, PodStatus, WorkloadRuntime } from '../runtime/workload.js';
import { cmdString } from '../tiltfile/builtins/liveupdate.js';
import { deployedRefs, ignoreMatcher } from './k8s-update.js';
import type { LiveTargetState, ResourceState } from './store.js';

export interface LiveUpdaterOptions {
  runtime: () => WorkloadRuntime | undefined;
  /** Absolute path of the Tiltfile: messages show paths relative to its directory. */
  tiltfile: string;
}

/** One image's part of a live update. */
export interface TargetWork {
  target: ImageTarget;
  mappings: PathMapping[];
  /** Running containers to update now (others get the files when they start). */
  containers: ContainerRef[];
}

export type LiveDecision =
  /** Not a case for live update: build and deploy. */
  | { kind: 'full' }
  /** Live update would not be correct, for the reason shown: build and deploy. */
  | { kind: 'fallback'; reason: string }
  | { kind: 'live'; work: TargetWork[] };

/** The live update failed in a way a full build repairs. */
export class LiveUpdateFallback extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LiveUpdateFallback';
  }
}

/** A run step failed: shown as the update's error, with no fallback. */
export class LiveUpdateRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LiveUpdateRunError';
  }
}

type Log = (line: string, level?: 'INFO' | 'WARN' | 'ERROR') => void;

/** A container that lacks files: all synced paths (initial_sync), or those updated after `since`. */
export interface PendingSync {
  target: ImageTarget;
  container: ContainerRef;
  since?: number;
}

/** What one pass over some containers copies, runs and restarts. */
interface Pass {
  target: ImageTarget;
  containers: ContainerRef[];
  mappings: PathMapping[];
  runs: RunStep[];
}

const display = (c: ContainerRef) => `${c.pod}/${c.container}`;

/** The running containers of `pods` whose image `matches`, and whether any is crash-looping. */
function containersOf(
  pods: readonly PodStatus[],
  matches: (image: string) => boolean,
): { running: ContainerRef[]; all: { pod: PodStatus; state: string; reason?: string }[] } {
  const running: ContainerRef[] = [];
  const all: { pod: PodStatus; state: string; reason?: string }[] = [];
  for (const pod of pods) {
    if (pod.deleting) continue;
    for (const c of pod.containers) {
      if (c.init || !matches(c.image)) continue;
      const reason = c.state.state === 'waiting' ? c.state.reason : undefined;
      all.push({ pod, state: c.state.state, reason });
      if (c.state.state === 'running' && c.id) {
        running.push({ pod: pod.name, namespace: pod.namespace, container: c.name, id: c.id });
      }
    }
  }
  return { running, all };
}

export class LiveUpdater {
  private readonly baseDir: string;
  private readonly matchers = new WeakMap<Manifest, (t: ImageTarget, path: string) => boolean>();

  constructor(private readonly opts: LiveUpdaterOptions) {
    this.baseDir = dirname(opts.tiltfile);
  }

  /** Whether `changed` can be live-updated into the resource's containers. */
  decide(r: ResourceState, changed: readonly string[]): LiveDecision {
    const m = r.manifest;
    const runtime = this.opts.runtime();
    if (m.type !== 'k8s' || !r.deployed || changed.length === 0 || !runtime)
      return { kind: 'full' };
    if (m.imageTargets.some((t) => !r.built.has(t.ref))) return { kind: 'full' };
    const ignores = this.ignores(m);
    const touches = (t: ImageTarget, f: string) =>
      t.watch.paths.some((w) => isUnder(f, w)) && !ignores(t, f);
    const byRef = new Map(m.imageTargets.map((t) => [t.ref, t]));
    const tree = (t: ImageTarget): ImageTarget[] => [
      t,
      ...t.dependsOn.flatMap((d) => (byRef.has(d) ? tree(byRef.get(d)!) : [])),
    ];
    const deployedNames = deployedRefs(m);
    const filesOf = new Map(
      m.imageTargets
        .filter((t) => deployedNames.has(t.ref))
        .map((t) => {
          const images = tree(t);
          return [t, changed.filter((f) => images.some((x) => touches(x, f)))];
        }),
    );
    // A file that no deployed image depends on (e.g. a custom deploy's deps) needs a deploy.
    if (changed.some((f) => ![...filesOf.values()].some((files) => files.includes(f)))) {
      return { kind: 'full' };
    }
    const pods = runtime.pods(m.name);
    const work: TargetWork[] = [];
    for (const [t, files] of filesOf) {
      if (files.length === 0) continue;
      if (t.liveUpdate.length === 0) return { kind: 'full' };
      const plan = planSyncs(t.liveUpdate, files);
      if (plan.noMatch.length > 0) {
        return {
          kind: 'fallback',
          reason: `Found file(s) not matching any sync (files: ${fileList(plan.noMatch, this.baseDir)})`,
        };
      }
      if (plan.stopFiles.length > 0) {
        return {
          kind: 'fallback',
          reason: `Detected change to stop file ${JSON.stringify(plan.stopFiles[0])}`,
        };
      }
      const built = r.built.get(t.ref)!;
      const name = nameSelector(built.deployRef);
      const { running, all } = containersOf(pods, (image) => selectorMatches(name, image));
      const crashing = all.find((c) => c.reason === 'CrashLoopBackOff');
      if (crashing) {
        return {
          kind: 'fallback',
          reason: `Cannot live update because container crashing. Pod: ${crashing.pod.name}`,
        };
      }
      if (all.length === 0) {
        return {
          kind: 'fallback',
          reason: `Don't have info for running container of image ${JSON.stringify(familiarString(parseRef(built.deployRef)))} (often a result of the deployment not yet being ready)`,
        };
      }
      if (running.length === 0 && all.every((c) => c.state === 'terminated')) {
        return {
          kind: 'fallback',
          reason: `Container for live update is stopped. Pod name: ${all[0].pod.name}`,
        };
      }
      work.push({ target: t, mappings: plan.mappings, containers: running });
    }
    return work.length > 0 ? { kind: 'live', work } : { kind: 'full' };
  }

  /**
   * Copies the files of each image into its containers, all containers at
   * once. Rejects with LiveUpdateFallback (a full build repairs it) or
   * LiveUpdateRunError (a run step failed: the files are in place).
   */
  async run(r: ResourceState, work: TargetWork[], log: Log, signal?: AbortSignal): Promise<void> {
    for (const w of work) {
      const st = this.state(r, w.target);
      st.version++;
      for (const mp of w.mappings) st.files.set(mp.local, st.version);
      if (w.containers.length === 0) {
        log(
          `No container of image ${w.target.ref} is running yet: ${w.mappings.length} file(s) will be copied when it starts`,
        );
        continue;
      }
      const synced = w.mappings.map((mp) => mp.local);
      const runs = triggeredRuns(runSteps(w.target.liveUpdate), synced);
      await this.updateAll(r, { ...w, runs }, log, signal);
    }
  }

  /** Brings containers up to the state's version: a live update, or a sync of a new container. */
  private async updateAll(r: ResourceState, pass: Pass, log: Log, signal?: AbortSignal) {
    const runtime = this.opts.runtime();
    if (!runtime) throw new LiveUpdateFallback('no runtime to update containers in');
    const { target: t, containers, mappings, runs } = pass;
    const st = this.state(r, t);
    const version = st.version;
    const ignores = this.ignores(r.manifest);
    const exclude = (local: string) => ignores(t, local);
    const { present, deleted } = await splitDeleted(mappings);
    const names = `[${containers.map(display).join(' ')}]`;
    const suffix = containers.length === 1 ? '' : '(s)';
    if (deleted.length > 0) {
      log(`Will delete ${deleted.length} file(s) from container${suffix}: ${names}`);
      for (const d of deleted) log(`- '${d.container}' (matched local path: '${d.local}')`);
    }
    if (present.length > 0) {
      log(`Will copy ${present.length} file(s) to container${suffix}: ${names}`);
      for (const p of present) log(`- '${p.local}' --> '${p.container}'`);
    }
    const work: ContainerWork = {
      deletes: deleted.map((d) => d.container),
      archive: present.length > 0 ? () => archiveMappings(present, { exclude }) : undefined,
      runs,
      restart: restartsContainer(t.liveUpdate),
    };
    const results = await Promise.allSettled(
      containers.map(async (c) => {
        await updateContainer({
          runtime,
          resource: r.manifest.name,
          container: c,
          work,
          log,
          signal,
        });
        st.containers.set(c.id, version);
        log(`  → Container ${display(c)} updated!`);
      }),
    );
    const runFailures: { c: ContainerRef; e: RunStepFailure }[] = [];
    let updateError: { c: ContainerRef; e: Error } | undefined;
    results.forEach((res, i) => {
      if (res.status === 'fulfilled') return;
      const c = containers[i];
      const e = res.reason as Error;
      if (e instanceof RunStepFailure) {
        // The files are in place: only the user's command failed.
        st.containers.set(c.id, version);
        log(
          `  → Failed to update container ${display(c)}: run step ${JSON.stringify(cmdString(e.argv))} failed with exit code: ${e.exitCode}`,
        );
        runFailures.push({ c, e });
      } else {
        updateError ??= { c, e };
      }
    });
    if (updateError) {
      throw new LiveUpdateFallback(`Updating pod ${updateError.c.pod}: ${updateError.e.message}`);
    }
    if (runFailures.length > 0 && runFailures.length < containers.length) {
      throw new LiveUpdateFallback(
        `Pods in inconsistent state: a run step failed in ${runFailures.length} of ${containers.length} containers`,
      );
    }
    if (runFailures.length > 0) {
      const { c, e } = runFailures[0];
      throw new LiveUpdateRunError(`Updating pod ${c.pod}: ${e.message}`);
    }
  }

  /** Refs whose containers hold live-updated files: a full build must rebuild them. */
  rebuildSet(r: ResourceState): Set<string> {
    const refs = new Set<string>();
    for (const [ref, st] of r.live) if (st.files.size > 0) refs.add(ref);
    return refs;
  }

  /**
   * After a build and deploy: a new image starts a new state. An unchanged
   * image keeps its containers, whose live-updated files are copied again from
   * the disk (they may differ from the image's now).
   */
  afterDeploy(r: ResourceState): void {
    for (const t of r.manifest.imageTargets) {
      if (t.liveUpdate.length === 0) continue;
      const built = r.built.get(t.ref);
      if (!built) continue;
      const st = r.live.get(t.ref);
      if (!st || st.image !== built.deployRef) {
        r.live.set(t.ref, newState(built.deployRef));
      } else if (st.files.size > 0) {
        st.version++;
        for (const f of st.files.keys()) st.files.set(f, st.version);
      }
    }
  }

  /** Containers of the current images that lack files (new ones, or ones that missed an update). */
  pendingSyncs(r: ResourceState): PendingSync[] {
    const out: PendingSync[] = [];
    const pods = r.runtime.pods ?? [];
    const present = new Set(pods.flatMap((p) => p.containers.map((c) => c.id)));
    for (const t of r.manifest.imageTargets) {
      const st = r.live.get(t.ref);
      if (!st || t.liveUpdate.length === 0) continue;
      // Containers that are gone are forgotten, so the record does not grow for ever.
      if (pods.length > 0)
        for (const id of st.containers.keys()) if (!present.has(id)) st.containers.delete(id);
      const { running } = containersOf(pods, (image) => image === st.image);
      for (const c of running) {
        const have = st.containers.get(c.id);
        if (have === undefined) {
          if (hasInitialSync(t.liveUpdate)) out.push({ target: t, container: c });
          else if (st.files.size > 0) out.push({ target: t, container: c, since: 0 });
          else st.containers.set(c.id, st.version); // it has what its image has
        } else if (have < st.version) {
          out.push({ target: t, container: c, since: have });
        }
      }
    }
    return out;
  }

  /**
   * Copies into one container what it lacks: every synced path (initial_sync)
   * or the files live-updated after version `since`. Rejects as run() does.
   */
  async syncContainer(r: ResourceState, p: PendingSync, log: Log, signal?: AbortSignal) {
    const t = p.target;
    const st = this.state(r, t);
    const steps = t.liveUpdate;
    const pass: Pass = { target: t, containers: [p.container], mappings: [], runs: [] };
    if (p.since === undefined) {
      log(`Initial sync of ${display(p.container)}`);
      const roots = syncSteps(steps);
      pass.mappings = roots.map((s) => ({ local: s.localPath, container: s.remotePath }));
      // Files deleted since the image was built go too.
      for (const f of st.files.keys()) {
        const covered = roots.find((s) => mapThroughSync(s, f) !== undefined);
        if (covered && !pass.mappings.some((mp) => mp.local === f)) {
          pass.mappings.push({ local: f, container: mapThroughSync(covered, f)! });
        }
      }
      pass.runs = runSteps(steps).filter(
        (run) =>
          run.triggers.length === 0 ||
          run.triggers.some((tr) => roots.some((s) => isUnder(tr, s.localPath))),
      );
    } else {
      const files = [...st.files].filter(([, v]) => v > p.since!).map(([f]) => f);
      log(
        `Container ${display(p.container)} started without ${files.length} live-updated file(s): copying them`,
      );
      pass.mappings = planSyncs(steps, files).mappings;
      pass.runs = triggeredRuns(runSteps(steps), files);
    }
    await this.updateAll(r, pass, log, signal);
  }

  /** Whether an image leaves out a path; compiled once per manifest (a reload makes a new one). */
  private ignores(m: Manifest): (t: ImageTarget, path: string) => boolean {
    let matcher = this.matchers.get(m);
    if (!matcher) {
      matcher = ignoreMatcher(m, this.opts.tiltfile);
      this.matchers.set(m, matcher);
    }
    return matcher;
  }

  private state(r: ResourceState, t: ImageTarget): LiveTargetState {
    let st = r.live.get(t.ref);
    if (!st) {
      st = newState(r.built.get(t.ref)?.deployRef ?? '');
      r.live.set(t.ref, st);
    }
    return st;
  }
}

function newState(image: string): LiveTargetState {
  return { image, version: 0, files: new Map(), containers: new Map() };
}

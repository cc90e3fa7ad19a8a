// The file watcher: targets (an image's context, a local_resource's deps, the Tiltfile's config
// files) register the paths they watch and what they ignore, and receive coalesced batches of the
// changed paths that concern them.
//
// Native subscriptions (@parcel/watcher, inotify on Linux) are shared by all targets:
// - a watched directory needs its whole tree: one `tree` subscription per outermost such
//   directory, which also serves every watched path beneath it;
// - a watched file, or a path that does not exist yet, needs only the entries of one directory
//   (the file's directory, or the nearest existing ancestor): a `dir` subscription, whose native
//   ignore rule drops everything deeper than its direct children, unless a tree covers it.
// Every event is routed to every target whose watched paths contain it and filtered by that
// target's ignores and the global ones. An event on an ancestor of a watched path (a missing path
// coming into existence, a watched directory being removed) makes the watcher locate that
// target's paths again and move its subscriptions; a path that came into existence is reported,
// with everything beneath it.
//
// Three limits of @parcel/watcher are worked around:
// - On Linux it watches a new directory only when it sees the directory's creation, and does not
//   list it: files and subdirectories created before it added its watch (`mkdir -p a/b/c`,
//   `cp -r`, `git checkout`) are never reported, and nothing beneath such subdirectories is ever
//   watched (parcel-bundler/watcher#97). So a new directory is listed here (its entries are
//   reported), and when it has subdirectories it gets a `patch` subscription of its own, whose
//   initial crawl watches the whole new subtree.
// - It caches the directory tree of a subscription by directory alone, whatever the ignore
//   options: a second subscription of the same directory reuses the first one's (possibly
//   pruned) tree. So a subscription is always ended before another one of the same directory is
//   made, and a process should have one FileWatcher. Changes made while a directory is being
//   subscribed again (its pruning changed with the set of targets) can be missed; targets that are
//   registered in the same tick share one reconciliation.
// - Its debouncer delivers the first event of a burst at once and holds the rest for up to
//   500 ms, which would cut a long burst into two batches. A batch waits for a probe to come back
//   through the native watcher (sync.ts).
//
// Idle costs nothing here: no timers run unless a batch is pending, a new directory is waiting
// to be listed or a probe is in flight. (The native library's thread wakes every 500 ms in
// poll(2).)

import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';

import parcelWatcher from '@parcel/watcher';

import { Coalescer } from './coalesce.js';
import { WatchError, watchErrorFor } from './errors.js';
import {
  compileIgnores,
  isBuiltinIgnored,
  isBuiltinPrunable,
  type CompiledIgnore,
  type IgnoreSpec,
} from './ignore.js';
import { isStrictlyWithin, isWithin, parentDir, relativeWithin } from './paths.js';
import { pruneSources } from './prune.js';
import { NativeSync } from './sync.js';

export interface FileWatcherOptions {
  /** A batch is delivered after this long without a new change for the target (default 200). */
  quietMs?: number;
  /** ... or this long after its first change, even if changes keep coming (default 10000). */
  maxWaitMs?: number;
  /** Ignores for every target, for watching only: `.tiltignore`, `watch_settings(ignore=)`. */
  globalIgnores?: readonly IgnoreSpec[];
  /** Failures of the native watcher and exceptions of callbacks; default: printed to stderr. */
  onError?: (err: WatchError) => void;
}

export interface WatchSpec {
  /** For messages: the target's name. */
  name: string;
  /** Files or directories, absolute or relative to the working directory; may not exist yet. */
  paths: readonly string[];
  /** Patterns in .dockerignore syntax, each list relative to its base dir. */
  ignores?: readonly IgnoreSpec[];
}

export interface WatchBatch {
  /** The target's name. */
  name: string;
  /** Changed paths: unique, absolute, sorted. Created, modified and deleted alike. */
  paths: string[];
}

export type WatchCallback = (batch: WatchBatch) => void;

export interface WatchHandle {
  readonly name: string;
  /** Number of changed paths waiting for the quiet period to end. */
  readonly pending: number;
  /** Change what the target watches and ignores; changes already pending are kept. */
  update(spec: WatchSpec): Promise<void>;
  /** Stop watching for this target; pending changes are dropped. */
  close(): Promise<void>;
}

/** One native subscription, for tests and diagnostics. */
export interface SubscriptionInfo {
  dir: string;
  /** `tree`: the whole tree; `dir`: direct entries only; `patch`: a new subtree (see above). */
  kind: SubKind;
  /** Sources of the regular expressions the native watcher skips (relative to `dir`). */
  ignore: string[];
}

export type SubKind = 'tree' | 'dir' | 'patch';
type PathState = 'dir' | 'file' | 'missing' | 'unknown';

interface Need {
  dir: string;
  tree: boolean;
}

interface Sub {
  key: string;
  dir: string;
  kind: SubKind;
  /** Sources of the native ignore expressions. */
  ignore: string[];
  optsKey: string;
  /** performance.now() when the subscription (and its crawl) began. */
  startedAt: number;
  handle: parcelWatcher.AsyncSubscription | null;
  /** The directory was removed, or the native watcher failed: the subscription sees nothing. */
  dead: boolean;
  removed: boolean;
}

interface NewDir {
  receivedAt: number;
  targets: Set<Target>;
}

// A `dir` subscription skips every path with a `/`, i.e. anything deeper than direct entries.
const CHILDREN_ONLY = '[/]';

class Target {
  paths: string[] = [];
  ignores: CompiledIgnore[] = [];
  states = new Map<string, PathState>();
  needs: Need[] = [];
  dirty = true;
  closed = false;
  readonly coalescer: Coalescer;

  constructor(
    public name: string,
    quietMs: number,
    maxWaitMs: number,
    deliver: (t: Target, paths: string[]) => void,
  ) {
    this.coalescer = new Coalescer({ quietMs, maxWaitMs, deliver: (p) => deliver(this, p) });
  }

  setSpec(spec: WatchSpec): void {
    const ignores = compileIgnores(spec.ignores);
    const paths = [...new Set(spec.paths.map((p) => resolve(p)))].sort();
    const states = new Map<string, PathState>();
    for (const p of paths) states.set(p, this.states.get(p) ?? 'unknown');
    this.name = spec.name;
    this.ignores = ignores;
    this.paths = paths;
    this.states = states;
    this.dirty = true;
  }
}

export class FileWatcher {
  private readonly quietMs: number;
  private readonly maxWaitMs: number;
  private readonly onError: (err: WatchError) => void;
  private global: CompiledIgnore[];
  private readonly targets = new Set<Target>();
  private readonly subs = new Map<string, Sub>();
  private readonly patches = new Map<string, Sub>();
  /** Subscriptions that failed, by key, with their options: not retried until a spec changes. */
  private readonly failed = new Map<string, string>();
  private queue: Promise<void> = Promise.resolve();
  private reconcileQueued: Promise<void> | null = null;
  private wantReconcile = false;
  private readonly newDirs = new Map<string, NewDir>();
  private newDirTimer: NodeJS.Timeout | null = null;
  private newDirFirstAt = 0;
  /** Probes that tell when the native watcher holds no more events (sync.ts); null: none. */
  private sync: NativeSync | null = null;
  private syncTried = false;
  private closed = false;

  constructor(opts: FileWatcherOptions = {}) {
    this.quietMs = opts.quietMs ?? 200;
    this.maxWaitMs = opts.maxWaitMs ?? 10_000;
    this.onError = opts.onError ?? ((e) => console.error(`tilt: ${e.message}`));
    this.global = compileIgnores(opts.globalIgnores);
  }

  /** Start watching for a target. Rejects on an invalid ignore pattern. */
  async watch(spec: WatchSpec, callback: WatchCallback): Promise<WatchHandle> {
    if (this.closed) throw new Error('FileWatcher is closed');
    const target = new Target(spec.name, this.quietMs, this.maxWaitMs, (t, paths) =>
      this.deliver(t, paths, callback),
    );
    target.setSpec(spec);
    this.targets.add(target);
    this.failed.clear();
    await this.scheduleReconcile();
    return {
      get name() {
        return target.name;
      },
      get pending() {
        return target.coalescer.size;
      },
      update: async (next: WatchSpec) => {
        if (target.closed) throw new Error(`file watch ${target.name} is closed`);
        target.setSpec(next);
        this.failed.clear();
        await this.scheduleReconcile();
      },
      close: async () => {
        if (target.closed) return;
        target.closed = true;
        target.coalescer.close();
        this.targets.delete(target);
        await this.scheduleReconcile();
      },
    };
  }

  /** Replace the global ignores (on Tiltfile reload: `.tiltignore`, `watch_settings`). */
  async setGlobalIgnores(specs: readonly IgnoreSpec[]): Promise<void> {
    this.global = compileIgnores(specs);
    this.failed.clear();
    await this.scheduleReconcile();
  }

  /** Number of native subscriptions. */
  get subscriptionCount(): number {
    return this.subs.size + this.patches.size;
  }

  /** The native subscriptions, sorted by directory. */
  subscriptions(): SubscriptionInfo[] {
    return [...this.subs.values(), ...this.patches.values()]
      .map((s) => ({ dir: s.dir, kind: s.kind, ignore: [...s.ignore] }))
      .sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
  }

  /** Wait until pending subscription changes and directory listings are done (for tests). */
  async settled(): Promise<void> {
    for (;;) {
      const q = this.queue;
      await q;
      if (q === this.queue && this.newDirTimer === null) return;
      if (this.newDirTimer !== null) await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Stop everything: no callback afterwards, no native handle or timer left. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.newDirTimer !== null) clearTimeout(this.newDirTimer);
    this.newDirTimer = null;
    for (const t of this.targets) {
      t.closed = true;
      t.coalescer.close();
    }
    this.targets.clear();
    this.newDirs.clear();
    await this.enqueue(async () => {
      const all = [...this.subs.values(), ...this.patches.values()];
      this.subs.clear();
      this.patches.clear();
      await Promise.all(all.map((s) => this.unsubscribe(s)));
      await this.sync?.close();
      this.sync = null;
    });
  }

  // ---- delivery ----

  private deliver(t: Target, paths: string[], callback: WatchCallback): void {
    if (t.closed || this.closed) return;
    try {
      callback({ name: t.name, paths });
    } catch (e) {
      this.report(
        new WatchError(
          `the file watch callback of ${t.name} threw: ${(e as Error)?.message ?? String(e)}`,
          t.paths[0] ?? '',
          'CALLBACK',
          { cause: e },
        ),
      );
    }
  }

  private report(err: WatchError): void {
    try {
      this.onError(err);
    } catch {
      // An onError that throws must not take the native callback down with it.
    }
  }

  // ---- events ----

  private onNative(sub: Sub, err: Error | null, events: parcelWatcher.Event[]): void {
    if (this.closed || sub.removed) return;
    if (err) {
      sub.dead = true;
      this.report(watchErrorFor(sub.dir, err));
      this.wantReconcile = true;
    } else {
      const at = performance.now();
      const before = new Map([...this.targets].map((t) => [t, t.coalescer.size]));
      for (const ev of events) {
        if (this.sync?.owns(ev.path)) continue;
        if (ev.type === 'delete' && ev.path === sub.dir) {
          sub.dead = true;
          this.wantReconcile = true;
        }
        this.dispatch(ev.path, ev.type, sub.kind === 'dir' ? null : at);
      }
      // Only new paths need another round trip: more events for paths already pending are
      // the tail of the same writes (a save is several events, delivered in two parts).
      this.requestSync((t) => t.coalescer.size > (before.get(t) ?? 0));
    }
    this.reconcileIfWanted();
  }

  // Hold every target with pending changes until the native watcher has delivered all it saw so
  // far (sync.ts): a batch is not cut while the native debouncer still holds part of a burst.
  private requestSync(grew: (t: Target) => boolean): void {
    if (this.sync === null) return;
    const held: Target[] = [];
    for (const t of this.targets) {
      if (t.closed || t.coalescer.size === 0 || !grew(t)) continue;
      t.coalescer.hold();
      held.push(t);
    }
    if (held.length === 0) return;
    this.sync.request(() => {
      for (const t of held) t.coalescer.release();
    });
  }

  /**
   * Route one changed path to the targets it concerns. `newDirAt` (when the event came from a
   * subscription of a whole tree) asks for a created directory to be listed.
   */
  private dispatch(path: string, type: parcelWatcher.EventType, newDirAt: number | null): void {
    let listFor: Target[] | null = null;
    for (const t of this.targets) {
      if (t.closed) continue;
      let match: string | null = null;
      let structural = false;
      for (const w of t.paths) {
        if (isWithin(path, w)) {
          if (match === null || w.length > match.length) match = w;
        } else if (type !== 'update' && isStrictlyWithin(w, path)) {
          structural = true;
        }
      }
      if (match !== null && path === match) {
        const state = t.states.get(match);
        if (type === 'delete') {
          t.states.set(match, 'missing');
          structural = true;
        } else if (type === 'create' && state !== 'file' && state !== 'dir') {
          structural = true;
        }
      }
      if (structural) {
        t.dirty = true;
        this.wantReconcile = true;
      }
      if (match === null) continue;
      if (!this.isIgnored(t, path, match)) t.coalescer.add(path);
      if (newDirAt !== null && type === 'create' && !this.isPrunable(t, path, match)) {
        (listFor ??= []).push(t);
      }
    }
    if (listFor !== null && newDirAt !== null) this.queueNewDir(path, newDirAt, listFor);
  }

  private isIgnored(t: Target, path: string, watched: string): boolean {
    return (
      isBuiltinIgnored(relativeWithin(watched, path)) ||
      t.ignores.some((s) => s.ignores(path)) ||
      this.global.some((s) => s.ignores(path))
    );
  }

  private isPrunable(t: Target, dir: string, watched: string): boolean {
    return (
      isBuiltinPrunable(relativeWithin(watched, dir)) ||
      t.ignores.some((s) => s.canPrune(dir)) ||
      this.global.some((s) => s.canPrune(dir))
    );
  }

  /** Whether some target wants paths beneath the directory. */
  private wantsBeneath(dir: string): boolean {
    for (const t of this.targets) {
      if (t.closed) continue;
      for (const w of t.paths) {
        if (isWithin(dir, w) && !this.isPrunable(t, dir, w)) return true;
      }
    }
    return false;
  }

  // ---- new directories ----

  // A created path that may be a directory: it is listed once the burst that created it has
  // settled, so that one listing (and at most one patch subscription) covers a whole `cp -r`.
  private queueNewDir(path: string, receivedAt: number, targets: Target[]): void {
    let nd = this.newDirs.get(path);
    if (nd === undefined) {
      nd = { receivedAt, targets: new Set() };
      this.newDirs.set(path, nd);
    }
    for (const t of targets) {
      if (nd.targets.has(t)) continue;
      nd.targets.add(t);
      t.coalescer.hold();
    }
    const settle = Math.min(50, this.quietMs);
    const now = performance.now();
    if (this.newDirTimer === null) {
      this.newDirFirstAt = now;
      this.newDirTimer = setTimeout(() => {
        this.newDirTimer = null;
        void this.enqueue(() => this.processNewDirs());
      }, settle);
    } else if (now - this.newDirFirstAt < this.maxWaitMs / 2) {
      this.newDirTimer.refresh();
    }
  }

  private async processNewDirs(): Promise<void> {
    const entries = [...this.newDirs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    this.newDirs.clear();
    const tops: Array<[string, NewDir]> = [];
    for (const e of entries) {
      if (!tops.some(([dir]) => isStrictlyWithin(e[0], dir))) tops.push(e);
    }
    try {
      for (const [dir, nd] of tops) {
        if (this.closed) return;
        let isDir = false;
        try {
          isDir = (await lstat(dir)).isDirectory();
        } catch {
          continue; // gone again
        }
        if (!isDir) continue;
        if ((await this.hasWantedSubdir(dir)) && !this.freshlyCovered(dir, nd.receivedAt)) {
          await this.addPatch(dir);
        }
        await this.walk(dir);
      }
    } catch (e) {
      this.report(watchErrorFor(tops[0]?.[0] ?? '', e));
    } finally {
      for (const [, nd] of entries) for (const t of nd.targets) t.coalescer.release();
      this.reconcileIfWanted();
    }
  }

  private async hasWantedSubdir(dir: string): Promise<boolean> {
    try {
      const entries = await readdir(dir, { withFileTypes: true });
      return entries.some((e) => e.isDirectory() && this.wantsBeneath(`${dir}/${e.name}`));
    } catch {
      return false;
    }
  }

  /** Whether a live subscription of the directory's tree began after the event was received. */
  private freshlyCovered(dir: string, receivedAt: number): boolean {
    for (const s of [...this.subs.values(), ...this.patches.values()]) {
      if (s.kind !== 'dir' && !s.dead && s.startedAt > receivedAt && isWithin(dir, s.dir)) {
        return true;
      }
    }
    return false;
  }

  private async addPatch(dir: string): Promise<void> {
    const covered = [...this.subs.values()].some(
      (s) => s.kind === 'tree' && !s.dead && isStrictlyWithin(dir, s.dir),
    );
    if (!covered || this.closed) return;
    const old = this.patches.get(dir);
    if (old !== undefined) {
      this.patches.delete(dir);
      await this.unsubscribe(old);
    }
    const ignore = pruneSources(dir, [...this.targets], this.global);
    const sub = await this.subscribe(`patch:${dir}`, dir, 'patch', ignore);
    if (sub !== null) this.patches.set(dir, sub);
  }

  /** Report everything beneath a directory that came into existence, as created. */
  private async walk(dir: string): Promise<void> {
    const stack = [dir];
    while (stack.length > 0 && !this.closed) {
      const d = stack.pop()!;
      let entries;
      try {
        entries = await readdir(d, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) {
        const p = d === '/' ? `/${e.name}` : `${d}/${e.name}`;
        this.dispatch(p, 'create', null);
        if (e.isDirectory() && this.wantsBeneath(p)) stack.push(p);
      }
    }
  }

  // ---- subscriptions ----

  private enqueue(fn: () => Promise<void>): Promise<void> {
    const run = this.queue.then(fn).catch((e: unknown) =>
      this.report(
        new WatchError(`file watcher: ${(e as Error)?.message ?? String(e)}`, '', 'UNKNOWN', {
          cause: e,
        }),
      ),
    );
    this.queue = run;
    return run;
  }

  private scheduleReconcile(): Promise<void> {
    if (this.reconcileQueued !== null) return this.reconcileQueued;
    const p = this.enqueue(async () => {
      this.reconcileQueued = null;
      await this.reconcile();
      this.reconcileIfWanted();
    });
    this.reconcileQueued = p;
    return p;
  }

  private reconcileIfWanted(): void {
    if (!this.wantReconcile || this.closed) return;
    this.wantReconcile = false;
    void this.scheduleReconcile();
  }

  private async reconcile(): Promise<void> {
    this.wantReconcile = false;
    if (!this.syncTried && this.targets.size > 0) {
      this.syncTried = true;
      this.sync = await NativeSync.create();
      if (this.closed) await this.sync?.close();
    }
    for (let round = 0; round < 8 && !this.closed; round++) {
      const transitions: Array<{ t: Target; path: string; state: PathState }> = [];
      for (const t of this.targets) {
        if (!t.dirty) continue;
        t.dirty = false;
        const needs: Need[] = [];
        for (const w of t.paths) {
          const { state, need } = await locate(w);
          const old = t.states.get(w) ?? 'unknown';
          if (!t.states.has(w)) continue; // the spec changed meanwhile; it is dirty again
          t.states.set(w, state);
          if (old !== 'unknown' && old !== state && state !== 'missing') {
            transitions.push({ t, path: w, state });
          }
          needs.push(need);
        }
        t.needs = needs;
      }
      await this.applySubscriptions();
      for (const { t, path, state } of transitions) {
        if (t.closed || this.closed) continue;
        this.dispatch(path, 'create', null);
        if (state === 'dir') {
          t.coalescer.hold();
          try {
            await this.walk(path);
          } finally {
            t.coalescer.release();
          }
        }
      }
      // A missing path may have come into existence before its new subscription was in place.
      for (const t of this.targets) {
        for (const [w, state] of t.states) {
          if (state === 'missing' && (await exists(w))) t.dirty = true;
        }
      }
      this.wantReconcile = false;
      const dead = [...this.subs.values(), ...this.patches.values()].some((s) => s.dead);
      if (!dead && ![...this.targets].some((t) => t.dirty)) return;
    }
    // Paths that keep changing: try again after what is queued.
    if ([...this.targets].some((t) => t.dirty)) this.wantReconcile = true;
  }

  private desiredSubs(): Map<string, { dir: string; kind: SubKind; ignore: string[] }> {
    const treeDirs = new Set<string>();
    const dirDirs = new Set<string>();
    for (const t of this.targets) {
      for (const n of t.needs) (n.tree ? treeDirs : dirDirs).add(n.dir);
    }
    const sortedTrees = [...treeDirs].sort((a, b) => a.length - b.length);
    const roots: string[] = [];
    for (const d of sortedTrees) if (!roots.some((r) => isWithin(d, r))) roots.push(d);
    const out = new Map<string, { dir: string; kind: SubKind; ignore: string[] }>();
    const targets = [...this.targets];
    for (const dir of roots) {
      out.set(`tree:${dir}`, {
        dir,
        kind: 'tree',
        ignore: pruneSources(dir, targets, this.global),
      });
    }
    for (const dir of dirDirs) {
      if (roots.some((r) => isWithin(dir, r))) continue;
      out.set(`dir:${dir}`, { dir, kind: 'dir', ignore: [CHILDREN_ONLY] });
    }
    return out;
  }

  private async applySubscriptions(): Promise<void> {
    const desired = this.desiredSubs();
    const toAdd: Array<{ key: string; dir: string; kind: SubKind; ignore: string[] }> = [];
    for (const [key, d] of desired) {
      const cur = this.subs.get(key);
      if (cur !== undefined && !cur.dead && cur.optsKey === optsKeyOf(d.ignore)) continue;
      if (this.failed.get(key) === optsKeyOf(d.ignore)) continue;
      toAdd.push({ key, ...d });
    }
    for (const key of this.failed.keys()) if (!desired.has(key)) this.failed.delete(key);

    // End first whatever is dead, and whatever shares a directory with a subscription to be made
    // (the native tree cache, see above).
    const addDirs = new Set(toAdd.map((a) => a.dir));
    const first: Sub[] = [];
    for (const s of this.subs.values()) if (s.dead || addDirs.has(s.dir)) first.push(s);
    for (const s of this.patches.values()) if (s.dead || addDirs.has(s.dir)) first.push(s);
    await this.remove(first);

    const added: Sub[] = [];
    for (const a of toAdd) {
      if (this.closed) return;
      const sub = await this.subscribe(a.key, a.dir, a.kind, a.ignore);
      if (sub === null) continue;
      this.subs.set(a.key, sub);
      added.push(sub);
    }

    // Then what is no longer needed: subscriptions not desired, patches outside every tree, and
    // patches beneath a tree that was just crawled afresh.
    const later: Sub[] = [];
    for (const [key, s] of this.subs) if (!desired.has(key)) later.push(s);
    for (const p of this.patches.values()) {
      const inTree = [...this.subs.values()].some(
        (s) => s.kind === 'tree' && desired.has(s.key) && isStrictlyWithin(p.dir, s.dir),
      );
      const recrawled = added.some((s) => s.kind === 'tree' && isStrictlyWithin(p.dir, s.dir));
      if (!inTree || recrawled) later.push(p);
    }
    await this.remove(later);
  }

  private async remove(subs: Sub[]): Promise<void> {
    for (const s of subs) {
      if (this.subs.get(s.key) === s) this.subs.delete(s.key);
      if (s.kind === 'patch' && this.patches.get(s.dir) === s) this.patches.delete(s.dir);
    }
    await Promise.all(subs.map((s) => this.unsubscribe(s)));
  }

  private async subscribe(
    key: string,
    dir: string,
    kind: SubKind,
    ignore: string[],
  ): Promise<Sub | null> {
    const sub: Sub = {
      key,
      dir,
      kind,
      ignore,
      optsKey: optsKeyOf(ignore),
      startedAt: performance.now(),
      handle: null,
      dead: false,
      removed: false,
    };
    const fn = (err: Error | null, events: parcelWatcher.Event[]): void => {
      try {
        this.onNative(sub, err, events);
      } catch (e) {
        this.report(watchErrorFor(dir, e));
      }
    };
    try {
      sub.handle = await parcelWatcher.subscribe(dir, fn, {
        ignore: ignore.map((src) => new RegExp(src)),
      });
    } catch (e) {
      if (!(await isDirectory(dir))) {
        // Removed since it was located: locate every target's paths again.
        for (const t of this.targets) t.dirty = true;
        this.wantReconcile = true;
        return null;
      }
      this.report(await describeFailure(dir, e));
      this.failed.set(key, sub.optsKey);
      return null;
    }
    if (this.closed) {
      await this.unsubscribe(sub);
      return null;
    }
    return sub;
  }

  private async unsubscribe(sub: Sub): Promise<void> {
    sub.removed = true;
    const h = sub.handle;
    sub.handle = null;
    if (h === null) return;
    try {
      await h.unsubscribe();
    } catch {
      // The directory is gone, or the native watcher already dropped it.
    }
  }
}

function optsKeyOf(ignore: string[]): string {
  return ignore.join('\n');
}

async function describeFailure(dir: string, err: unknown): Promise<WatchError> {
  try {
    if ((await lstat(dir)).isSymbolicLink()) {
      const target = await realpath(dir);
      return new WatchError(
        `Cannot watch ${dir} for changes: it is a symbolic link to ${target}, and a directory ` +
          `cannot be watched through a symbolic link. Use ${target} instead.`,
        dir,
        'ENOTDIR',
        { cause: err },
      );
    }
  } catch {
    // fall through to the generic description
  }
  return watchErrorFor(dir, err);
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether a watched path is a directory, a file or missing, and what it needs watched. */
async function locate(path: string): Promise<{ state: PathState; need: Need }> {
  try {
    const st = await stat(path);
    if (st.isDirectory()) return { state: 'dir', need: { dir: path, tree: true } };
    return { state: 'file', need: { dir: parentDir(path), tree: false } };
  } catch {
    // missing, or not reachable: watch the nearest existing ancestor for it to appear
  }
  let dir = parentDir(path);
  for (;;) {
    try {
      if ((await stat(dir)).isDirectory()) return { state: 'missing', need: { dir, tree: false } };
    } catch {
      // keep going up
    }
    if (dir === '/') return { state: 'missing', need: { dir, tree: false } };
    dir = parentDir(dir);
  }
}

// Loading the Tiltfile, at start and whenever one of the files it read
// changes. A failed reload keeps the previous resources running and shows the
// error; a successful one replaces the resources, and only those whose
// definition changed update again (`Config Changed`).

import { relative, dirname } from 'node:path';
import { loadTiltfile, type TiltfileResult } from '../tiltfile/index.js';
import type { FileWatcher, WatchHandle } from '../watch/index.js';
import type { Manifest } from '../model/manifest.js';
import { TILTFILE_RESOURCE } from '../logs/index.js';
import type { EngineStore } from './store.js';
import type { ResourceLog } from './log.js';

export interface TiltfileControllerOptions {
  store: EngineStore;
  log: ResourceLog;
  args: string[];
  subcommand: 'up' | 'ci' | 'down';
  env?: Record<string, string>;
  /** The runtime restarts containers in place (see LoadOptions). */
  containerRestarts?: boolean;
  /** Reloads on changes when given (not in tilt ci). */
  watcher?: FileWatcher;
  /** Resources a reload removed: their objects are deleted. */
  onRemoved?: (removed: Manifest[]) => void;
  /** Every finished load. */
  onLoaded?: (result: TiltfileResult) => void;
}

export class TiltfileController {
  private seq = 0;
  private watch?: Promise<WatchHandle>;
  private pendingReload: string[] | undefined;
  private reloadAgain = false;
  private watched: string[] = [];

  constructor(private readonly opts: TiltfileControllerOptions) {}

  /** Loads the Tiltfile; `changed` names the files that caused a reload. */
  async load(changed?: string[]): Promise<TiltfileResult> {
    const { store } = this.opts;
    const path = store.tiltfile.path;
    const spanId = `tiltfile:${++this.seq}`;
    const log = (line: string, level?: 'INFO' | 'WARN' | 'ERROR') =>
      this.opts.log(TILTFILE_RESOURCE, spanId, line, level, 'tiltfile');
    if (changed) {
      const shown = changed.map((p) => relative(dirname(path), p) || p);
      log(`${shown.length} File${shown.length === 1 ? '' : 's'} Changed: [${shown.join(' ')}]`);
    }
    store.tiltfile.loading = true;
    store.changed();
    const result = loadTiltfile({
      path,
      args: this.opts.args,
      subcommand: this.opts.subcommand,
      env: this.opts.env,
      containerRestarts: this.opts.containerRestarts,
      log: (line) => log(line),
    });
    store.tiltfile.loading = false;
    store.tiltfile.loads++;
    for (const w of result.warnings) log(`WARNING: ${w}`, 'WARN');
    if (result.error) {
      // The previous resources keep running: only the error is new.
      store.tiltfile.error = result.error;
      for (const line of result.error.split('\n')) log(line, 'ERROR');
    } else {
      store.tiltfile.error = null;
      store.tiltfile.settings = result.settings;
      const { removed } = store.setManifests(result.manifests);
      if (removed.length > 0) this.opts.onRemoved?.(removed);
    }
    store.changed();
    // A failed load may stop before reading the file that fixes it: keep watching the last ones too.
    const watched = result.error
      ? [...new Set([...this.watched, ...result.configFiles])]
      : result.configFiles;
    this.watched = watched;
    await this.watchConfigFiles(watched);
    this.opts.onLoaded?.(result);
    return result;
  }

  private async watchConfigFiles(files: string[]): Promise<void> {
    const { watcher } = this.opts;
    if (!watcher) return;
    const spec = {
      name: TILTFILE_RESOURCE,
      paths: files.length > 0 ? files : [this.opts.store.tiltfile.path],
    };
    if (this.watch) {
      await (await this.watch).update(spec);
      return;
    }
    this.watch = watcher.watch(spec, (batch) => void this.reload(batch.paths));
    await this.watch;
  }

  /** The args after `--` the Tiltfile runs with. */
  get args(): string[] {
    return this.opts.args;
  }

  /** New Tiltfile args (`tilt args`): the Tiltfile runs again with them. */
  async setArgs(args: string[]): Promise<void> {
    this.opts.args = [...args];
    this.opts.log(
      TILTFILE_RESOURCE,
      `tiltfile:args:${++this.seq}`,
      `Tiltfile args changed to: [${args.join(' ')}]`,
      'INFO',
      'tiltfile',
    );
    await this.reload([]);
  }

  /** Runs the Tiltfile again (its trigger button). */
  rerun(): Promise<void> {
    return this.reload([]);
  }

  /** Reloads, one load at a time: changes during a load cause one more. */
  private async reload(paths: string[]): Promise<void> {
    if (this.pendingReload) {
      this.pendingReload.push(...paths);
      this.reloadAgain = true;
      return;
    }
    this.pendingReload = [];
    try {
      await this.load(paths.length > 0 ? paths : undefined);
    } finally {
      const more = this.pendingReload;
      const again = this.reloadAgain;
      this.pendingReload = undefined;
      this.reloadAgain = false;
      if (again) void this.reload(more);
    }
  }

  async close(): Promise<void> {
    const w = await this.watch?.catch(() => undefined);
    await w?.close();
  }
}

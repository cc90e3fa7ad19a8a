// Updates of local_resource: run `cmd` to completion, then (re)start
// `serve_cmd` and its readiness probe. The runtime status follows the serve
// process and the probe.

import {
  displayCmd,
  runCmd,
  ServeProcess,
  startProbe,
  type ProbeHandle,
} from '../runtime/local/index.js';
import type { Manifest } from '../model/manifest.js';
import type { RuntimeState } from './store.js';

export type LocalLog = (line: string, level?: 'INFO' | 'WARN' | 'ERROR') => void;

export interface LocalUpdaterOptions {
  /** Variables over tilt's environment for every command (TILT_PORT and the like). */
  env: Record<string, string>;
  /** Output of serve_cmd, and tilt's messages about it. */
  serveLog: (resource: string) => LocalLog;
  /** The serve process or its probe changed the resource's runtime status. */
  onRuntime: (resource: string, runtime: RuntimeState) => void;
}

/** A failed `cmd`, in Tilt's words. */
export class LocalCmdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalCmdError';
  }
}

interface Served {
  serve: ServeProcess;
  probe?: ProbeHandle;
  /** The definition it was started with: a changed one starts anew. */
  key: string;
}

export class LocalUpdater {
  private readonly served = new Map<string, Served>();

  constructor(private readonly opts: LocalUpdaterOptions) {}

  async update(m: Manifest, log: LocalLog, signal?: AbortSignal): Promise<void> {
    const spec = m.local!;
    if (spec.updateCmd.length > 0) {
      log(`Running cmd: ${displayCmd(spec.updateCmd)}`);
      const result = await runCmd(spec.updateCmd, {
        dir: spec.updateDir,
        env: { ...this.opts.env, ...spec.updateEnv },
        onOutput: (line) => log(line),
        signal,
      }).catch((e: Error) => {
        throw new LocalCmdError(e.message);
      });
      if (result.aborted) throw new LocalCmdError('cancelled');
      if (result.exitCode !== 0) {
        const how =
          result.exitCode === null ? `signal: ${result.signal}` : `exit status ${result.exitCode}`;
        throw new LocalCmdError(
          `Command ${JSON.stringify(displayCmd(spec.updateCmd))} failed: ${how}`,
        );
      }
    }
    if (spec.serveCmd.length > 0) await this.restartServe(m);
    else this.opts.onRuntime(m.name, { status: 'not_applicable', ready: true, since: Date.now() });
  }

  private async restartServe(m: Manifest): Promise<void> {
    const spec = m.local!;
    const key = JSON.stringify([spec.serveCmd, spec.serveDir, spec.serveEnv, spec.readinessProbe]);
    let s = this.served.get(m.name);
    if (s && s.key !== key) {
      await this.stop(m.name);
      s = undefined;
    }
    const log = this.opts.serveLog(m.name);
    const report = () => this.opts.onRuntime(m.name, runtimeOf(this.served.get(m.name)));
    if (!s) {
      const serve = new ServeProcess(spec.serveCmd, {
        dir: spec.serveDir,
        env: { ...this.opts.env, ...spec.serveEnv },
        onOutput: (line) => log(line),
        onLog: (msg, level) => log(msg, level === 'error' ? 'ERROR' : 'INFO'),
        onStatus: report,
      });
      s = { serve, key };
      this.served.set(m.name, s);
    }
    s.probe?.stop();
    s.probe = undefined;
    await s.serve.restart();
    const probe = spec.readinessProbe;
    if (probe && s.serve.status.state === 'running') {
      s.probe = startProbe(probe, {
        dir: spec.serveDir,
        env: { ...this.opts.env, ...spec.serveEnv },
        onStatusChange: report,
      });
    }
    report();
  }

  /** Stops a resource's serve process (resource removed or disabled). */
  async stop(name: string): Promise<void> {
    const s = this.served.get(name);
    if (!s) return;
    this.served.delete(name);
    s.probe?.stop();
    await s.serve.stop();
  }

  /** Stops every serve process: SIGTERM, then SIGKILL after the grace period. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.served.keys()].map((n) => this.stop(n)));
  }
}

function runtimeOf(s: Served | undefined): RuntimeState {
  const since = Date.now();
  if (!s) return { status: 'pending', ready: false, since };
  const st = s.serve.status;
  switch (st.state) {
    case 'running': {
      if (!s.probe || s.probe.status === 'ready') return { status: 'ok', ready: true, since };
      return { status: 'pending', ready: false, since, detail: 'Not ready' };
    }
    case 'exited': {
      const detail =
        st.error ??
        (st.exitCode !== null
          ? `exited with exit code ${st.exitCode}`
          : `exited with signal ${st.signal}`);
      return { status: 'error', ready: false, since, detail };
    }
    default:
      return { status: 'pending', ready: false, since };
  }
}

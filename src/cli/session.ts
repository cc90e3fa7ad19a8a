// What `tilt up` and `tilt ci` share: the runtime, the engine, the web
// server, and the terminal output (a log stream, or the live status table).

import { resolve } from 'node:path';
import { connectDocker } from '../build/docker/engine.js';
import { ciVerdict } from '../engine/ci-verdict.js';
import { engineBackend } from '../engine/api-backend.js';
import { Engine } from '../engine/engine.js';
import { projectName, projectStateDir } from '../engine/project.js';
import { engineView } from '../engine/view.js';
import { LogStore, StreamRenderer } from '../logs/index.js';
import { DockerRuntime } from '../runtime/docker/index.js';
import { tiltCommandEnv } from '../runtime/local/index.js';
import type { ApiBackend } from '../server/backend.js';
import { startServer, type RunningServer } from '../server/server.js';
import { TerminalHud } from '../hud/index.js';
import type { CliContext } from './io.js';
import { chooseRuntime } from './runtime-choice.js';
import { packageVersion, versionString } from './version.js';

export interface SessionOptions {
  mode: 'up' | 'ci';
  file: string;
  args: string[];
  /** 0: no web server. */
  port: number;
  host: string;
  /** Print the log stream instead of the status table. */
  stream: boolean;
  runtime?: string;
  disablePortForwards?: boolean;
  /** tilt ci --timeout, in ms; the Tiltfile's ci_settings(timeout) otherwise. */
  timeoutMs?: number;
}

/** Runs until `signal` aborts (tilt up) or a verdict is reached (tilt ci); resolves to the exit code. */
export async function runSession(
  ctx: CliContext,
  o: SessionOptions,
  signal: AbortSignal,
): Promise<number> {
  const choice = chooseRuntime(o.runtime);
  const tiltfile = resolve(o.file);
  const logs = new LogStore();
  const info = { startedAt: Date.now(), version: packageVersion(), mode: o.mode };

  let engine: Engine | undefined = undefined;
  let backend: ApiBackend | undefined = undefined;
  // Bound first: a second tilt up on the same port stops here, before touching anything.
  const server: RunningServer | undefined =
    o.port === 0
      ? undefined
      : await startServer({
          host: o.host,
          port: o.port,
          backend: () => (backend ??= engine && engineBackend(engine, logs, info)),
        });

  let docker: ReturnType<typeof connectDocker>;
  try {
    docker = connectDocker();
    const project = projectName(tiltfile);
    const runtime = new DockerRuntime({ docker: docker.docker, project });
    engine = new Engine({
      tiltfile,
      args: o.args,
      mode: o.mode,
      logs,
      runtime,
      images: () => docker,
      env: tiltCommandEnv({ port: o.port, host: o.host, color: false }),
      disablePortForwards: o.disablePortForwards,
      stateDir: projectStateDir(project),
    });
  } catch (e) {
    // The server is up already: without this, the process would not exit.
    await server?.close();
    throw e;
  }

  const out = startOutput(ctx, logs, engine, o.stream || o.mode === 'ci', server?.url);
  const header = [
    server ? `Tilt started on ${server.url}` : 'Tilt started (web UI disabled with --port=0)',
    versionString(),
    `Runtime: ${choice.kind} (${choice.reason}); Docker engine at ${docker.host}`,
    '',
  ];
  for (const line of header) logs.append({ resource: '', spanId: 'tilt', text: `${line}\n` });

  let code = 0;
  try {
    await engine.start();
    if (o.mode === 'ci') {
      code = await waitForVerdict(ctx, engine, o.timeoutMs, signal);
    } else {
      await new Promise<void>((res) =>
        signal.addEventListener('abort', () => res(), { once: true }),
      );
    }
  } finally {
    await engine.stop();
    await server?.close();
    out.stop();
  }
  return code;
}

interface Output {
  stop(): void;
}

function startOutput(
  ctx: CliContext,
  logs: LogStore,
  engine: Engine,
  stream: boolean,
  webUrl: string | undefined,
): Output {
  const { io } = ctx;
  if (stream || !io.isTTY) {
    const renderer = new StreamRenderer({ color: io.isTTY === true });
    const unsubscribe = logs.subscribe((segs) => {
      let text = '';
      for (const seg of segs) text += renderer.render(seg);
      io.stdout(text);
    });
    return {
      stop: () => {
        unsubscribe();
        io.stdout(renderer.finish());
      },
    };
  }
  const hud = new TerminalHud({
    write: io.stdout,
    columns: () => io.columns?.() ?? 80,
    color: true,
  });
  const update = () => {
    const view = engineView(engine.store);
    hud.update({
      resources: view.resources,
      webUrl,
      banner: view.tiltfileError ? 'Tiltfile error' : undefined,
    });
  };
  const unsubscribe = engine.store.subscribe(update);
  update();
  return {
    stop: () => {
      unsubscribe();
      hud.stop();
    },
  };
}

async function waitForVerdict(
  ctx: CliContext,
  engine: Engine,
  timeoutFlagMs: number | undefined,
  signal: AbortSignal,
): Promise<number> {
  const startedAt = Date.now();
  return await new Promise<number>((done) => {
    let timer: NodeJS.Timeout | undefined;
    const check = () => {
      const ci = engine.store.tiltfile.settings?.ci;
      const verdict = ciVerdict(engine.store, {
        now: Date.now(),
        startedAt,
        timeoutMs: timeoutFlagMs ?? ci?.timeoutMs ?? 30 * 60_000,
        readinessTimeoutMs: ci?.readinessTimeoutMs ?? 5 * 60_000,
        k8sGracePeriodMs: ci?.k8sGracePeriodMs,
      });
      clearTimeout(timer);
      if (!verdict.done) {
        if (verdict.nextDeadline !== undefined) {
          timer = setTimeout(check, Math.max(0, verdict.nextDeadline - Date.now()) + 5);
        }
        return;
      }
      unsubscribe();
      if (verdict.ok) {
        ctx.io.stdout('SUCCESS. All workloads are healthy.\n');
        done(0);
      } else {
        ctx.io.stderr(`Error: ${verdict.error}\n`);
        done(1);
      }
    };
    const unsubscribe = engine.store.subscribe(check);
    signal.addEventListener('abort', () => {
      unsubscribe();
      clearTimeout(timer);
      done(1);
    });
    check();
  });
}

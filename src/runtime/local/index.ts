// Local processes of local_resource: the update cmd, the serve_cmd and its readiness probe.

export {
  CmdError,
  displayCmd,
  tiltCommandEnv,
  toArgv,
  type Command,
  type OutputHandler,
  type OutputStream,
} from './command.js';
export {
  DEFAULT_GRACE_PERIOD_MS,
  disposeAll,
  killAllNow,
  type ExitInfo,
  type LogHandler,
  type LogLevel,
} from './process-group.js';
export { runCmd, type RunCmdOptions, type RunCmdResult } from './run-cmd.js';
export { ServeProcess, type ServeOptions, type ServeStatus } from './serve.js';
export {
  httpProbeURL,
  probeOnce,
  startProbe,
  type ProbeHandle,
  type ProbeOptions,
  type ProbeResult,
  type ProbeStatus,
  type ProbeUpdate,
  type RunProbeOptions,
} from './probe.js';

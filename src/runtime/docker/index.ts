// The embedded Docker runtime: Kubernetes workloads as containers on the local engine.

export { DockerRuntime, type DockerRuntimeOptions } from './runtime.js';
export { PAUSE_IMAGE, pauseExecutable, UnsupportedArchError } from './pause-image.js';
export { PodLaunchError } from './pod-runner.js';
export { ConfigRefError } from './config-refs.js';
export { WorkloadSpecError } from './workloads.js';
export { VolumeMountError } from './volumes.js';
export {
  LABEL_MANAGED_BY,
  LABEL_OBJECT,
  LABEL_POD,
  LABEL_PROJECT,
  LABEL_RESOURCE,
  LABEL_SPEC_HASH,
} from './labels.js';
export { networkName } from './names.js';

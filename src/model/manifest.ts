// The model the engine runs: resources (manifests) assembled from a Tiltfile.
// Plain data, so that it serializes as `tilt alpha tiltfile-result` prints it.

import type { K8sEntity } from '../k8s/entity.js';
import type { LiveUpdateStep } from '../tiltfile/builtins/liveupdate.js';
import type { ImageSpec } from '../tiltfile/builtins/images.js';
import type { CustomDeploySpec } from '../tiltfile/builtins/k8s.js';
import type { LocalResourceSpec } from '../tiltfile/builtins/local.js';

export type TriggerMode = 'TRIGGER_MODE_AUTO' | 'TRIGGER_MODE_MANUAL';

export interface PortForward {
  localPort: number;
  /** 0: the pod's first declared port, or localPort. */
  containerPort: number;
  host: string;
  name: string;
  linkPath: string;
}

export interface Link {
  url: string;
  name: string;
}

export interface ImageTarget {
  /** The ref as written in the Tiltfile. */
  ref: string;
  /** Refs (as written) of the images this one is built FROM, built first. */
  dependsOn: string[];
  build: ImageSpec;
  liveUpdate: LiveUpdateStep[];
  entrypoint: string[] | null;
  containerArgs: string[] | null;
  /** What to watch for changes, and what to ignore. */
  watch: { paths: string[]; ignores: string[] };
}

export interface K8sTarget {
  /** Objects as YAML documents, in the order they were given. */
  yaml: string;
  entities: K8sEntity[];
  /** `name:kind` of each object, lower-case. */
  objectNames: string[];
  portForwards: PortForward[];
  extraPodSelectors: Record<string, string>[];
  podReadiness: '' | 'wait' | 'ignore' | 'succeeded';
  discoveryStrategy: '' | 'default' | 'selectors-only';
  /** Set for k8s_custom_deploy: the user's commands apply and delete the objects. */
  customDeploy?: CustomDeploySpec;
}

export type LocalTarget = Pick<
  LocalResourceSpec,
  | 'updateCmd'
  | 'updateDir'
  | 'updateEnv'
  | 'serveCmd'
  | 'serveDir'
  | 'serveEnv'
  | 'deps'
  | 'ignore'
  | 'allowParallel'
  | 'readinessProbe'
>;

/** A Docker Compose service run as a resource. */
export interface ComposeTarget {
  /** The Compose project name. */
  project: string;
  /** The service's name in the compose files. */
  service: string;
  configPaths: string[];
  /** The directory relative paths in the compose files resolve against. */
  projectPath: string;
  /** The env file given to docker_compose(), or "". */
  envFile: string;
  profiles: string[];
  /** Whether `up` waits for the service to be running/healthy. */
  wait: boolean;
  /** The image the service runs (dc_resource's image, else the compose file's or its default). */
  image: string;
  /** How Compose builds the image, when the service has a `build` section. */
  build?: { context: string; dockerfile: string; args: Record<string, string>; target: string };
  ports: { host: string; published: number; target: number }[];
}

export interface Manifest {
  name: string;
  type: 'k8s' | 'local' | 'dc';
  /** Dependencies first. */
  imageTargets: ImageTarget[];
  k8s?: K8sTarget;
  local?: LocalTarget;
  dc?: ComposeTarget;
  resourceDeps: string[];
  triggerMode: TriggerMode;
  autoInit: boolean;
  labels: string[];
  links: Link[];
  /** False for resources left out by config.set_enabled_resources or the args after `--`. */
  enabled: boolean;
}

// Which runtime runs the Kubernetes workloads: the embedded Docker runtime
// unless a Kubernetes context is configured, or as --runtime says.

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';
import type { RuntimeKind } from '../runtime/workload.js';

export interface RuntimeChoice {
  kind: RuntimeKind;
  /** Why, for the first lines of `tilt up`. */
  reason: string;
  /** The current kube context, when one is configured. */
  context?: string;
}

/** The current-context of the kubeconfig files ($KUBECONFIG, else ~/.kube/config), if any. */
export function currentKubeContext(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const files = env.KUBECONFIG
    ? env.KUBECONFIG.split(delimiter).filter(Boolean)
    : [join(env.HOME ?? homedir(), '.kube', 'config')];
  for (const file of files) {
    if (!existsSync(file)) continue;
    try {
      const doc = parse(readFileSync(file, 'utf8')) as { 'current-context'?: unknown } | null;
      const ctx = doc?.['current-context'];
      // The first file that sets current-context wins, as kubectl merges them.
      if (typeof ctx === 'string' && ctx !== '') return ctx;
    } catch {
      continue; // an unreadable kubeconfig configures nothing
    }
  }
  return undefined;
}

export class RuntimeChoiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeChoiceError';
  }
}

export function chooseRuntime(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): RuntimeChoice {
  if (flag !== undefined && flag !== 'docker' && flag !== 'kubernetes') {
    throw new RuntimeChoiceError(
      `invalid --runtime ${JSON.stringify(flag)}: use docker or kubernetes`,
    );
  }
  const context = currentKubeContext(env);
  if (flag === 'docker') return { kind: 'docker', reason: 'chosen with --runtime docker', context };
  if (flag === 'kubernetes') {
    throw new RuntimeChoiceError(
      'the Kubernetes runtime is not available yet: run with --runtime docker to run the workloads on the local Docker engine',
    );
  }
  if (context === undefined)
    return { kind: 'docker', reason: 'no Kubernetes context is configured' };
  return {
    kind: 'docker',
    reason: `Kubernetes context ${JSON.stringify(context)} is configured, but the Kubernetes runtime is not available yet`,
    context,
  };
}

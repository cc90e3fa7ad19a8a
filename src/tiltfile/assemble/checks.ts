// Checks made once all resources are assembled.

import { EvalError } from '../../starlark/errors.js';
import type { Manifest } from '../../model/manifest.js';
import type { TiltfileContext } from '../context.js';
import { restartContainerDeprecationError, unusedLiveUpdateSteps } from '../builtins/liveupdate.js';

/**
 * Live update steps: restart_container() is for Docker Compose, and for
 * Kubernetes workloads only on a runtime that restarts containers in place;
 * every created step must be used.
 */
export function checkLiveUpdates(ctx: TiltfileContext, manifests: Manifest[]): void {
  const restarting = manifests
    .filter(
      (m) =>
        m.type === 'k8s' &&
        m.imageTargets.some((t) => t.liveUpdate.some((s) => s.type === 'restart_container')),
    )
    .map((m) => m.name);
  if (restarting.length > 0 && !ctx.containerRestarts)
    throw new EvalError(restartContainerDeprecationError(restarting));
  const unused = unusedLiveUpdateSteps(ctx);
  if (unused) throw new EvalError(unused);
}

// Resources of k8s_custom_deploy: deployed by the user's apply command, with
// the images it names in image_deps built first.

import type { Manifest } from '../../model/manifest.js';
import type { TiltfileContext } from '../context.js';
import { k8sOf } from '../builtins/k8s.js';
import { resourceTriggerMode } from '../builtins/settings.js';

export function assembleCustomDeploys(ctx: TiltfileContext): Manifest[] {
  return k8sOf(ctx).customDeploys.map((d) => ({
    name: d.name,
    type: 'k8s',
    imageTargets: [],
    k8s: {
      yaml: '',
      entities: [],
      objectNames: [],
      portForwards: [],
      extraPodSelectors: [],
      podReadiness: '',
      discoveryStrategy: '',
      customDeploy: d,
    },
    resourceDeps: [],
    triggerMode: resourceTriggerMode(ctx, undefined),
    autoInit: true,
    labels: [],
    links: [],
    enabled: true,
  }));
}

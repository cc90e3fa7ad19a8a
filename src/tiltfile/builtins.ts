// All Tiltfile builtins, one module per family under builtins/.

import { structBuiltin } from '../starlark/lib/universe.js';
import type { Value } from '../starlark/values/value.js';
import type { TiltfileContext } from './context.js';
import { register as registerCompose } from './builtins/compose.js';
import { register as registerConfig } from './builtins/config.js';
import { register as registerExtensions } from './builtins/extensions.js';
import { register as registerFiles } from './builtins/files.js';
import { register as registerImages } from './builtins/images.js';
import { register as registerK8s } from './builtins/k8s.js';
import { register as registerK8sRender } from './builtins/k8s-render.js';
import { register as registerLiveUpdate } from './builtins/liveupdate.js';
import { register as registerLocal } from './builtins/local.js';
import { register as registerOs } from './builtins/os.js';
import { register as registerSettings } from './builtins/settings.js';

/** A family's registration: adds its builtins (and modules, constants) to `out`. */
export type Register = (ctx: TiltfileContext, out: Map<string, Value>) => void;

export function makeBuiltins(ctx: TiltfileContext): Map<string, Value> {
  const out = new Map<string, Value>([['struct', structBuiltin]]);
  for (const register of [
    registerImages,
    registerK8s,
    registerK8sRender,
    registerCompose,
    registerLocal,
    registerFiles,
    registerLiveUpdate,
    registerSettings,
    registerConfig,
    registerOs,
    registerExtensions,
  ]) {
    register(ctx, out);
  }
  return out;
}

// The JSON form of a Tiltfile result, as `tilt alpha tiltfile-result` prints it.

import type { ImageTarget, Manifest } from '../model/manifest.js';
import type { TiltfileResult } from './index.js';

function imageJSON(t: ImageTarget) {
  const b = t.build;
  return {
    ref: t.ref,
    kind: b.kind,
    context: b.kind === 'docker' ? b.context : null,
    dockerfile: b.kind === 'docker' ? b.dockerfile : null,
    buildArgs: b.kind === 'docker' ? b.buildArgs : {},
    target: b.kind === 'docker' ? b.target : '',
    command: b.kind === 'custom' ? b.command : null,
    deps: b.kind === 'custom' ? b.deps : null,
    dependsOn: t.dependsOn,
    entrypoint: t.entrypoint,
    containerArgs: t.containerArgs,
    liveUpdate: t.liveUpdate,
    watch: t.watch,
  };
}

function manifestJSON(m: Manifest) {
  return {
    name: m.name,
    type: m.type,
    imageTargets: m.imageTargets.map(imageJSON),
    k8sObjects: m.k8s?.objectNames ?? [],
    portForwards: (m.k8s?.portForwards ?? []).map((p) => ({
      localPort: p.localPort,
      containerPort: p.containerPort,
      host: p.host,
      ...(p.name ? { name: p.name } : {}),
      ...(p.linkPath ? { linkPath: p.linkPath } : {}),
    })),
    ...(m.local
      ? {
          local: {
            cmd: m.local.updateCmd,
            dir: m.local.updateDir,
            serveCmd: m.local.serveCmd,
            serveDir: m.local.serveDir,
            deps: m.local.deps,
            allowParallel: m.local.allowParallel,
          },
        }
      : {}),
    ...(m.dc
      ? {
          dc: {
            project: m.dc.project,
            service: m.dc.service,
            configPaths: m.dc.configPaths,
            image: m.dc.image,
            build: m.dc.build ?? null,
            ports: m.dc.ports,
          },
        }
      : {}),
    resourceDeps: m.resourceDeps,
    triggerMode: m.triggerMode,
    autoInit: m.autoInit,
    labels: m.labels,
    links: m.links,
    enabled: m.enabled,
  };
}

export function resultJSON(r: TiltfileResult) {
  return {
    manifests: r.manifests.map(manifestJSON),
    configFiles: r.configFiles,
    apiObjects: r.apiObjects,
    warnings: r.warnings,
    error: r.error,
  };
}

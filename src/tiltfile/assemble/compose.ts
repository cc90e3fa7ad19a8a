// Docker Compose resources: one manifest per service of every project that
// docker_compose() declared, configured by dc_resource().

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EvalError } from '../../starlark/errors.js';
import type { ImageTarget, Link, Manifest } from '../../model/manifest.js';
import type { TiltfileContext } from '../context.js';
import {
  composeOf,
  serviceImage,
  type ComposeProject,
  type ComposeService,
} from '../builtins/compose.js';
import { imagesOf } from '../builtins/images.js';
import { localResourcesOf } from '../builtins/local.js';
import { resourceTriggerMode } from '../builtins/settings.js';
import { goQuote } from '../builtins/settings-go.js';
import { ImageIndex, imageTargetsFor } from './images.js';

/**
 * The manifests of the Compose services, in project order and, within a
 * project, dependencies first. `others` are the resources assembled before
 * (Kubernetes), whose names the services may not take.
 */
export function assembleCompose(ctx: TiltfileContext, others: Manifest[] = []): Manifest[] {
  const projects = composeOf(ctx).projects;
  const services = projects.flatMap((p) => p.services.map((svc) => ({ project: p, svc })));
  if (services.length === 0) return [];
  if (imagesOf(ctx).registry?.host) {
    throw new EvalError('default_registry is not supported with docker compose');
  }
  const taken = new Set([
    ...others.map((m) => m.name),
    ...localResourcesOf(ctx).map((r) => r.name),
  ]);
  for (const { svc } of services) {
    if (taken.has(svc.name))
      throw new EvalError(`dc_resource named ${goQuote(svc.name)} already exists`);
  }
  const index = new ImageIndex(imagesOf(ctx).images);
  return services.map(({ project, svc }) => {
    if (svc.build && index.matching(serviceImage(svc)).length === 0) watchComposeBuild(ctx, svc);
    return toManifest(ctx, project, svc);
  });
}

function toManifest(ctx: TiltfileContext, project: ComposeProject, svc: ComposeService): Manifest {
  const o = svc.options;
  const links: Link[] = [];
  if (o.inferLinks) {
    for (const p of svc.ports) {
      if (p.published !== 0) links.push({ url: `http://localhost:${p.published}/`, name: '' });
    }
  }
  links.push(...o.links);
  return {
    name: svc.name,
    type: 'dc',
    imageTargets: [],
    dc: {
      project: project.name,
      service: svc.serviceName,
      configPaths: [...project.configPaths],
      projectPath: project.projectPath,
      envFile: project.envFile,
      profiles: [...project.profiles],
      wait: project.wait,
      image: serviceImage(svc),
      ...(svc.build ? { build: { ...svc.build, args: { ...svc.build.args } } } : {}),
      ports: svc.ports.map((p) => ({ ...p })),
    },
    resourceDeps: [...o.resourceDeps],
    triggerMode: resourceTriggerMode(ctx, o.triggerMode),
    autoInit: o.autoInit ?? true,
    labels: [...o.labels],
    links,
    enabled: true,
  };
}

/**
 * A service Compose builds itself: its .dockerignore (that of the Dockerfile,
 * else the context's) re-runs the Tiltfile when it changes.
 */
function watchComposeBuild(ctx: TiltfileContext, svc: ComposeService): void {
  const b = svc.build!;
  if (!b.context.startsWith('/')) return;
  const own = `${b.dockerfile}.dockerignore`;
  ctx.addConfigFile(existsSync(own) ? own : join(b.context, '.dockerignore'));
}

/** The images a Compose resource uses: the one its service runs. */
export function composeImages(m: Manifest): string[] {
  return m.dc ? [m.dc.image] : [];
}

/**
 * The image targets of a Compose resource: the builds matching its image, with
 * what they are built FROM. Compose runs the image's own command, so an
 * entrypoint override cannot apply.
 */
export function composeImageTargets(
  ctx: TiltfileContext,
  index: ImageIndex,
  m: Manifest,
): ImageTarget[] {
  const images = composeImages(m);
  if (images.some((img) => index.matching(img).some((x) => x.spec.entrypoint !== null))) {
    throw new EvalError(
      'docker_build/custom_build.entrypoint not supported for Docker Compose resources',
    );
  }
  return imageTargetsFor(ctx, index, images);
}

// A pod's volumes as Docker sees them: emptyDir is a named volume of the pod,
// a PersistentVolumeClaim a named volume of the project, hostPath a bind mount,
// and configMap/secret/projected/downwardAPI files written to a host directory
// and bind-mounted read-only. Then each container's volumeMounts become binds
// and mounts.

import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import {
  childArray,
  childObject,
  childString,
  isJSONObject,
  type JSONObject,
} from '../../k8s/json.js';
import type { ObjectLookup } from './config-store.js';
import { isFileVolume, volumeFiles, type FieldResolver, type VolumeFile } from './config-refs.js';
import { statusOf } from './docker-errors.js';
import { claimVolumeName, emptyDirVolumeName } from './names.js';

export type PodVolume =
  | {
      kind: 'docker-volume';
      name: string;
      dockerName: string;
      /** `pod` volumes go with the pod; `claim` volumes stay until deleted with --delete-volumes. */
      scope: 'pod' | 'claim';
      /** For a claim: its name, for the volume's labels. */
      claim?: string;
    }
  | { kind: 'bind'; name: string; hostPath: string }
  | { kind: 'files'; name: string; dir: string; files: VolumeFile[] };

export interface VolumePlan {
  volumes: PodVolume[];
  /** Volume types the runtime cannot provide; each got an empty pod volume instead. */
  warnings: string[];
}

export interface VolumeContext {
  project: string;
  namespace: string;
  /** The pod's name among Docker names (names.podKey). */
  podKey: string;
  /** Where this pod's volume files are written. */
  podDir: string;
  lookup: ObjectLookup;
  field: FieldResolver;
  /** StatefulSet pods: claim templates become one claim per pod, `<template>-<set>-<ordinal>`. */
  claimTemplates?: { names: string[]; setName: string; ordinal: number };
}

/** A volumeMount that names no volume, or otherwise cannot be mounted. */
export class VolumeMountError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VolumeMountError';
  }
}

/** The pod's volumes. Throws ConfigRefError when a ConfigMap or Secret a volume needs is missing. */
export function planVolumes(spec: JSONObject, ctx: VolumeContext): VolumePlan {
  const volumes: PodVolume[] = [];
  const warnings: string[] = [];
  const podVolume = (name: string): PodVolume => ({
    kind: 'docker-volume',
    name,
    dockerName: emptyDirVolumeName(ctx.project, ctx.podKey, name),
    scope: 'pod',
  });
  const claimVolume = (name: string, claim: string): PodVolume => ({
    kind: 'docker-volume',
    name,
    dockerName: claimVolumeName(ctx.project, ctx.namespace, claim),
    scope: 'claim',
    claim,
  });

  for (const v of childArray(spec, 'volumes') ?? []) {
    if (!isJSONObject(v)) continue;
    const name = childString(v, 'name');
    if (!name) continue;
    if (isJSONObject(v.emptyDir)) {
      volumes.push(podVolume(name));
    } else if (isJSONObject(v.persistentVolumeClaim)) {
      volumes.push(
        claimVolume(name, childString(childObject(v, 'persistentVolumeClaim'), 'claimName')),
      );
    } else if (isJSONObject(v.hostPath)) {
      volumes.push({
        kind: 'bind',
        name,
        hostPath: childString(childObject(v, 'hostPath'), 'path'),
      });
    } else if (isFileVolume(v)) {
      const files = volumeFiles(v, ctx.namespace, ctx.lookup, ctx.field);
      volumes.push({ kind: 'files', name, dir: path.join(ctx.podDir, 'volumes', name), files });
    } else {
      const type = Object.keys(v).find((k) => k !== 'name') ?? 'unknown';
      warnings.push(
        `volume "${name}" of type ${type} is not supported by the Docker runtime: it is an empty volume`,
      );
      volumes.push(podVolume(name));
    }
  }
  const templates = ctx.claimTemplates;
  if (templates) {
    for (const t of templates.names) {
      if (volumes.some((v) => v.name === t)) continue;
      volumes.push(claimVolume(t, `${t}-${templates.setName}-${templates.ordinal}`));
    }
  }
  return { volumes, warnings };
}

export interface ContainerMounts {
  binds: string[];
  mounts: Docker.MountSettings[];
  warnings: string[];
}

/** The binds and mounts of one container's volumeMounts. */
export function containerMounts(
  container: JSONObject,
  volumes: readonly PodVolume[],
): ContainerMounts {
  const out: ContainerMounts = { binds: [], mounts: [], warnings: [] };
  const containerName = childString(container, 'name');
  (childArray(container, 'volumeMounts') ?? []).forEach((m, i) => {
    if (!isJSONObject(m)) return;
    const name = childString(m, 'name');
    const target = childString(m, 'mountPath');
    const at = `volumeMounts[${i}]`;
    const volume = volumes.find((v) => v.name === name);
    if (!volume) {
      throw new VolumeMountError(
        `container "${containerName}": ${at}.name: Not found: ${JSON.stringify(name)}`,
      );
    }
    if (!target.startsWith('/')) {
      throw new VolumeMountError(
        `container "${containerName}": ${at}.mountPath: Invalid value: ${JSON.stringify(target)}: must be an absolute path`,
      );
    }
    const subPath = childString(m, 'subPath');
    if (subPath.startsWith('/') || subPath.split('/').includes('..')) {
      throw new VolumeMountError(
        `container "${containerName}": ${at}.subPath: Invalid value: ${JSON.stringify(subPath)}: must be a relative path without '..'`,
      );
    }
    const readOnly = m.readOnly === true;
    switch (volume.kind) {
      case 'files':
        // Kubernetes mounts these read-only whatever the mount says.
        out.binds.push(`${joinSub(volume.dir, subPath)}:${target}:ro`);
        break;
      case 'bind':
        out.binds.push(`${joinSub(volume.hostPath, subPath)}:${target}${readOnly ? ':ro' : ''}`);
        break;
      case 'docker-volume':
        if (subPath) {
          out.warnings.push(
            `container "${containerName}" mounts subPath "${subPath}" of volume "${name}": the Docker runtime mounts the whole volume`,
          );
        }
        out.mounts.push({
          Type: 'volume',
          Source: volume.dockerName,
          Target: target,
          ReadOnly: readOnly,
          // Kubernetes volumes start empty: no copy of the image's files at the mount point.
          VolumeOptions: { NoCopy: true } as Docker.MountSettings['VolumeOptions'],
        });
        break;
    }
  });
  return out;
}

function joinSub(dir: string, subPath: string): string {
  return subPath ? path.join(dir, subPath) : dir;
}

/**
 * Writes the volume files and creates the named volumes (labelled) that do not
 * exist yet. `labels` are the pod's; claim volumes get `claimLabels(claim)`.
 */
export async function prepareVolumes(
  docker: Docker,
  volumes: readonly PodVolume[],
  labels: Record<string, string>,
  claimLabels: (claim: string) => Record<string, string>,
): Promise<void> {
  for (const v of volumes) {
    if (v.kind === 'files') {
      writeVolumeFiles(v.dir, v.files);
    } else if (v.kind === 'docker-volume') {
      const volumeLabels = v.scope === 'claim' ? claimLabels(v.claim ?? v.name) : labels;
      await ensureVolume(docker, v.dockerName, volumeLabels);
    }
  }
}

/** Creates a named volume unless it exists (an existing one keeps its labels and data). */
export async function ensureVolume(
  docker: Docker,
  name: string,
  labels: Record<string, string>,
): Promise<void> {
  try {
    await docker.getVolume(name).inspect();
    return;
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
  await docker.createVolume({ Name: name, Labels: labels });
}

function writeVolumeFiles(dir: string, files: readonly VolumeFile[]): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  fs.chmodSync(dir, 0o755);
  for (const f of files) {
    const file = path.join(dir, f.path);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
    fs.writeFileSync(file, f.content);
    // The mode as written in the spec, whatever the umask.
    fs.chmodSync(file, f.mode);
  }
}

/**
 * Removes the pod's own volumes (found by their labels, so that adopted pods,
 * whose plan is not known, lose theirs too) and its files; claim volumes stay.
 */
export async function removePodVolumes(
  docker: Docker,
  labelFilters: string[],
  podDir: string,
): Promise<void> {
  const list = await docker.listVolumes({ filters: { label: labelFilters } });
  for (const v of list.Volumes ?? []) {
    await docker
      .getVolume(v.Name)
      .remove()
      .catch(() => undefined);
  }
  fs.rmSync(podDir, { recursive: true, force: true });
}

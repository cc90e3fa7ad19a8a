// Names of pods and of the Docker objects behind them. Pod names follow the
// Kubernetes controllers (`web-7c9f6b5d8b-x2x4q`, `db-0`, `migrate-8kq2n`) so that
// they read the same in Tilt's UI; Docker names must stay unique per engine.

import { randomInt } from 'node:crypto';
import { DEFAULT_NAMESPACE } from '../../k8s/entity.js';

/** Kubernetes' alphabet for generated names: no vowels (no words), no look-alikes. */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Five random characters, as a ReplicaSet or Job adds to its pods' names. */
export function randomSuffix(random: (n: number) => number = randomInt): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += SAFE_ALPHABET[random(SAFE_ALPHABET.length)];
  return s;
}

/** Ten characters derived from a spec hash (hex), like a Deployment's pod-template-hash. */
export function templateHashSuffix(specHash: string): string {
  let s = '';
  for (let i = 0; i < 10; i++) {
    const byte = parseInt(specHash.slice(i * 2, i * 2 + 2), 16) || 0;
    s += SAFE_ALPHABET[byte % SAFE_ALPHABET.length];
  }
  return s;
}

export type PodNaming =
  /** Deployment: `<name>-<template hash>-<random>`. */
  | 'template-hash'
  /** ReplicaSet, ReplicationController, DaemonSet, Job: `<name>-<random>`. */
  | 'random'
  /** StatefulSet: `<name>-<ordinal>`. */
  | 'ordinal'
  /** Pod: its own name. */
  | 'fixed';

export function podName(
  naming: PodNaming,
  objectName: string,
  opts: { specHash: string; ordinal: number; random?: (n: number) => number },
): string {
  switch (naming) {
    case 'template-hash':
      return `${objectName}-${templateHashSuffix(opts.specHash)}-${randomSuffix(opts.random)}`;
    case 'random':
      return `${objectName}-${randomSuffix(opts.random)}`;
    case 'ordinal':
      return `${objectName}-${opts.ordinal}`;
    case 'fixed':
      return objectName;
  }
}

/** The pod's name among Docker names: the namespace is added outside `default`. */
export function podKey(pod: string, namespace: string): string {
  return namespace === DEFAULT_NAMESPACE || namespace === '' ? pod : `${pod}.${namespace}`;
}

/** Docker names allow `[a-zA-Z0-9][a-zA-Z0-9_.-]*`; anything else becomes `-`. */
export function dockerSafe(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_.-]/g, '-');
  return /^[a-zA-Z0-9]/.test(cleaned) ? cleaned : `x${cleaned}`;
}

/** `<project>_<pod>_<container>`: readable in `docker ps`, unique per engine. */
export function containerName(project: string, podKeyName: string, container: string): string {
  return dockerSafe(`${project}_${podKeyName}_${container}`);
}

/**
 * The sandbox owns the pod's network namespace. `POD` cannot clash with a
 * container's name: those are lowercase DNS labels.
 */
export function sandboxName(project: string, podKeyName: string): string {
  return containerName(project, podKeyName, 'POD');
}

export function networkName(project: string): string {
  return dockerSafe(`tilt-${project}`);
}

/** The named volume behind a PersistentVolumeClaim. */
export function claimVolumeName(project: string, namespace: string, claim: string): string {
  const ns = namespace === DEFAULT_NAMESPACE || namespace === '' ? '' : `${namespace}-`;
  return dockerSafe(`tilt-${project}-${ns}${claim}`);
}

/** The named volume behind one pod's emptyDir. */
export function emptyDirVolumeName(project: string, podKeyName: string, volume: string): string {
  return dockerSafe(`tilt-${project}-${podKeyName}-${volume}`);
}

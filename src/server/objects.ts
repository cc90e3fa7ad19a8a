// /api/objects: every kind a running tilt serves, for `tilt get` and
// `tilt describe`. Kinds are matched as kubectl does: any case, singular or
// plural (uiresource, uiresources, UIResource).

import type { ApiObject } from '../api/types.js';
import type { ApiBackend } from './backend.js';
import { HttpError } from './reply.js';

export function knownKinds(backend: ApiBackend): string[] {
  return ['uiresource', 'uisession', ...backend.kinds];
}

function plural(kind: string): string {
  if (kind.endsWith('y')) return `${kind.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(kind)) return `${kind}es`;
  return `${kind}s`;
}

/** The canonical (lower-case, singular) kind `given` names; a 404 for an unknown one. */
export function resolveKind(backend: ApiBackend, given: string): string {
  const g = given.toLowerCase();
  const kinds = knownKinds(backend);
  const kind = kinds.find((k) => k === g || plural(k) === g);
  if (!kind) {
    throw new HttpError(
      404,
      `unknown kind ${JSON.stringify(given)}; known kinds: ${kinds.join(', ')}`,
    );
  }
  return kind;
}

export function listObjects(backend: ApiBackend, kind: string): ApiObject[] {
  if (kind === 'uiresource') return backend.resources();
  if (kind === 'uisession') return [backend.session()];
  return backend.objects(kind) ?? [];
}

export function getObject(backend: ApiBackend, kind: string, name: string): ApiObject {
  const found = listObjects(backend, kind).find((o) => o.metadata.name === name);
  if (!found) throw new HttpError(404, `${kind} ${JSON.stringify(name)} not found`);
  return found;
}

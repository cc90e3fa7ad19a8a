// The project name that labels everything tilt makes for one Tiltfile: its
// directory's name and a short hash of its path, so that two checkouts of the
// same repository never touch each other's containers.

import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

export function projectName(tiltfile: string): string {
  const dir = dirname(resolve(tiltfile));
  const name =
    basename(dir)
      .toLowerCase()
      .replace(/[^a-z0-9_.-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '') || 'tilt';
  const hash = createHash('sha256').update(dir).digest('hex').slice(0, 6);
  return `${name.slice(0, 40)}-${hash}`;
}

/** Where tilt keeps what it remembers of a project between runs (the build record). */
export function projectStateDir(project: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(env.TILT_DEV_DIR ?? join(homedir(), '.tilt-dev'), 'tilt-ts', project);
}

// Errors of the file watcher, with what the user can do about them.

import { readFileSync } from 'node:fs';

export class WatchError extends Error {
  constructor(
    message: string,
    /** The directory or file concerned. */
    readonly path: string,
    /** `ENOSPC`, `EMFILE`, `ENOENT`, `ENOTDIR`, `EACCES`, `CALLBACK` or `UNKNOWN`. */
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WatchError';
  }
}

function readLimit(name: string): string {
  try {
    return readFileSync(`/proc/sys/fs/inotify/${name}`, 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

/** A WatchError for a failure of the native watcher on `dir`, with a hint for the user. */
export function watchErrorFor(dir: string, err: unknown): WatchError {
  const raw = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOSPC' || /No space left on device/i.test(raw)) {
    return new WatchError(
      `Cannot watch ${dir} for changes: the system's limit of inotify watches ` +
        `(fs.inotify.max_user_watches = ${readLimit('max_user_watches')}) is reached (${raw}). ` +
        `Raise the limit with 'sudo sysctl fs.inotify.max_user_watches=524288' ` +
        `(add 'fs.inotify.max_user_watches=524288' to /etc/sysctl.conf to keep it after a reboot), ` +
        `or leave large directories such as node_modules out with .tiltignore or watch_settings(ignore=...).`,
      dir,
      'ENOSPC',
      { cause: err },
    );
  }
  if (code === 'EMFILE' || /Too many open files/i.test(raw)) {
    return new WatchError(
      `Cannot watch ${dir} for changes: too many inotify instances or open files ` +
        `(fs.inotify.max_user_instances = ${readLimit('max_user_instances')}) (${raw}). ` +
        `Raise the limit with 'sudo sysctl fs.inotify.max_user_instances=1024', or close other ` +
        `programs that watch files.`,
      dir,
      'EMFILE',
      { cause: err },
    );
  }
  if (
    code === 'ENOENT' ||
    code === 'ENOTDIR' ||
    /No such file or directory|Not a directory/i.test(raw)
  ) {
    return new WatchError(
      `Cannot watch ${dir} for changes: it no longer exists (${raw}). ` +
        `Watching resumes when it is created again.`,
      dir,
      'ENOENT',
      { cause: err },
    );
  }
  if (code === 'EACCES' || code === 'EPERM' || /Permission denied/i.test(raw)) {
    return new WatchError(
      `Cannot watch ${dir} for changes: permission denied (${raw}). ` +
        `Make the directory readable, or leave it out with .tiltignore or watch_settings(ignore=...).`,
      dir,
      'EACCES',
      { cause: err },
    );
  }
  return new WatchError(`Watching ${dir} for changes failed: ${raw}`, dir, 'UNKNOWN', {
    cause: err,
  });
}

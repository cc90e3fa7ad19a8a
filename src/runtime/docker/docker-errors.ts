// Reading dockerode's failures: the HTTP status, the engine's own message, and
// whether the engine could not be reached at all.

import { DockerUnreachableError, isUnreachable } from '../../build/docker/engine.js';

export { isUnreachable };

export function statusOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The engine's message from a dockerode error (`(HTTP code 404) no such container - <message>`). */
export function engineMessage(err: unknown): string {
  const json = (err as { json?: unknown } | null)?.json;
  if (json && typeof json === 'object') {
    const message = (json as { message?: unknown }).message;
    if (typeof message === 'string') return message.trim();
  }
  const text = err instanceof Error ? err.message : String(err);
  const m = /^\(HTTP code \d+\) [^-]*- ([\s\S]*)$/.exec(text);
  return (m ? m[1]! : text).trim();
}

/** DockerUnreachableError for a connection failure; other errors unchanged. */
export function translateUnreachable(host: string, err: unknown): unknown {
  if (err instanceof DockerUnreachableError || !isUnreachable(err)) return err;
  return new DockerUnreachableError(host, (err as { code?: string }).code, err);
}

/** Runs `fn`, ignoring a 404 (already gone) or 304 (already in that state) answer. */
export async function ignoreGone<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    const status = statusOf(err);
    if (status === 404 || status === 304 || status === 409) return undefined;
    throw err;
  }
}

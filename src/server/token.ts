// The per-instance token and the file that hands it to the CLI: only the user
// who started tilt can read it, so only their commands can call the API.

import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** What `servers/<port>.json` holds. */
export interface ServerInfo {
  token: string;
  port: number;
  host: string;
  pid: number;
  url: string;
}

export function newToken(): string {
  return randomBytes(32).toString('hex');
}

/** The user's tilt config directory, as projectStateDir uses it. */
export function defaultTokenDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.TILT_DEV_DIR ?? join(homedir(), '.tilt-dev'), 'tilt-ts');
}

export function serverInfoPath(port: number, tokenDir = defaultTokenDir()): string {
  return join(tokenDir, 'servers', `${port}.json`);
}

/** Writes the file atomically, readable by the user alone. */
export function writeServerInfo(info: ServerInfo, tokenDir = defaultTokenDir()): string {
  const dir = join(tokenDir, 'servers');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const path = serverInfoPath(info.port, tokenDir);
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  return path;
}

function parse(path: string): ServerInfo | undefined {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
  const d = data as Partial<ServerInfo> | null;
  if (
    !d ||
    typeof d.token !== 'string' ||
    typeof d.port !== 'number' ||
    typeof d.host !== 'string' ||
    typeof d.pid !== 'number' ||
    typeof d.url !== 'string'
  ) {
    return undefined;
  }
  return { token: d.token, port: d.port, host: d.host, pid: d.pid, url: d.url };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The running tilt on `port`, for the CLI; undefined when there is no file, or it is left over
 * from a tilt that was killed.
 */
export function readServerInfo(port: number, tokenDir?: string): ServerInfo | undefined {
  const info = parse(serverInfoPath(port, tokenDir));
  return info && alive(info.pid) ? info : undefined;
}

/** Removes the file unless another tilt has taken the port (and the file) since. */
export function removeServerInfo(port: number, token: string, tokenDir = defaultTokenDir()): void {
  const path = serverInfoPath(port, tokenDir);
  if (parse(path)?.token === token) rmSync(path, { force: true });
}

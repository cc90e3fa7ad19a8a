import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { CliContext } from './io.js';

/** Version from the package.json at the repository root (two levels above this module). */
export function packageVersion(): string {
  const pkgPath = fileURLToPath(new URL('../../package.json', import.meta.url));
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string') {
    throw new Error(`no version field in ${pkgPath}`);
  }
  return pkg.version;
}

/** Build date: the modification date (UTC) of this module file, i.e. when it was compiled. */
export function buildDate(): string {
  const mtime = statSync(fileURLToPath(import.meta.url)).mtime;
  return mtime.toISOString().slice(0, 10);
}

export function versionString(): string {
  return `v${packageVersion()}, built ${buildDate()}`;
}

export function register(program: Command, ctx: CliContext): Command {
  return program
    .command('version')
    .description('Print the tilt version')
    .action(() => {
      ctx.io.stdout(`${versionString()}\n`);
    });
}

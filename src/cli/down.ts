// `tilt down`: load the Tiltfile and delete what `tilt up` made for its
// enabled resources, dependents before their dependencies.

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { connectDocker } from '../build/docker/engine.js';
import { projectName } from '../engine/project.js';
import type { Manifest } from '../model/manifest.js';
import { DockerRuntime } from '../runtime/docker/index.js';
import { loadTiltfile } from '../tiltfile/index.js';
import type { CliContext } from './io.js';
import { chooseRuntime } from './runtime-choice.js';

interface DownFlags {
  file: string;
  deleteVolumes: boolean;
  runtime?: string;
}

/** Resources in the order to delete them: each after every resource that depends on it. */
export function deletionOrder(manifests: Manifest[]): Manifest[] {
  const byName = new Map(manifests.map((m) => [m.name, m]));
  const done = new Set<string>();
  const out: Manifest[] = [];
  const visit = (m: Manifest, path: Set<string>) => {
    if (done.has(m.name) || path.has(m.name)) return;
    path.add(m.name);
    for (const other of manifests) if (other.resourceDeps.includes(m.name)) visit(other, path);
    done.add(m.name);
    out.push(m);
  };
  for (const m of [...manifests].reverse()) visit(m, new Set());
  return out.filter((m) => byName.has(m.name));
}

export function register(program: Command, ctx: CliContext): Command {
  return program
    .command('down')
    .description('Delete the resources that tilt up made for the Tiltfile')
    .option('-f, --file <path>', 'path to the Tiltfile', 'Tiltfile')
    .option('--delete-volumes', 'also delete named volumes (persistentVolumeClaims)', false)
    .option('--runtime <runtime>', 'where the workloads ran (docker or kubernetes)')
    .argument('[args...]', 'Tiltfile args')
    .action(async (args: string[], flags: DownFlags) => {
      const { io } = ctx;
      try {
        const runtimeChoice = chooseRuntime(flags.runtime);
        const path = resolve(flags.file);
        const result = loadTiltfile({
          path,
          args,
          subcommand: 'down',
          containerRestarts: runtimeChoice.kind === 'docker',
          log: (l) => io.stdout(`${l}\n`),
        });
        if (result.error) {
          io.stderr(`${result.error}\n`);
          ctx.exitCode = 1;
          return;
        }
        const docker = connectDocker();
        const runtime = new DockerRuntime({ docker: docker.docker, project: projectName(path) });
        const manifests = deletionOrder(
          result.manifests.filter((m) => m.enabled && m.type === 'k8s'),
        );
        try {
          for (const m of manifests) {
            io.stdout(`Deleting ${m.name}\n`);
            await runtime.delete(m.name, m.k8s?.entities ?? [], {
              deleteVolumes: flags.deleteVolumes,
              log: (line: string) => io.stdout(`  ${line}\n`),
            });
          }
        } finally {
          await runtime.close();
        }
      } catch (e) {
        io.stderr(`Error: ${(e as Error).message}\n`);
        ctx.exitCode = 1;
      }
    });
}

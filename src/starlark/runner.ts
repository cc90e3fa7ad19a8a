export interface StarlarkCommandOptions {
  files: string[];
  conformance: boolean;
  lib?: string;
}

export async function runStarlarkCommand(_opts: StarlarkCommandOptions): Promise<number> {
  process.stderr.write('not implemented\n');
  return 2;
}

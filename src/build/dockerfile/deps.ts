// The images a Dockerfile builds on: FROM bases and COPY --from / RUN --mount from= sources,
// after ARG expansion, minus references to the file's own build stages.

import { parseRef, RefError } from '../../container/ref.js';
import type { Dockerfile, Flag, Instruction } from './parse.js';
import { expandWord, ShellWordError } from './shell.js';

export interface Stage {
  index: number;
  /** The stage name from `FROM x AS name`, lower-cased; '' when unnamed. */
  name: string;
  /** The base as written (`${BASE}`), and after ARG expansion. */
  baseRaw: string;
  base: string;
  instruction: Instruction;
}

/** One place in a Dockerfile that names an image, with how to rewrite it. */
export interface ImageSite {
  kind: 'from' | 'copy' | 'mount';
  /** The image after ARG expansion. */
  image: string;
  instruction: Instruction;
  /** The range of `instruction.original` that `render` replaces. */
  at: number;
  end: number;
  render(newImage: string): string;
}

export function stagesOf(df: Dockerfile, buildArgs: Record<string, string> = {}): Stage[] {
  const stages: Stage[] = [];
  const global = globalArgs(df, buildArgs);
  for (const inst of df.instructions) {
    if (inst.cmd !== 'FROM' || inst.args.length === 0) continue;
    const baseRaw = inst.args[0];
    const named = inst.args.length >= 3 && inst.args[1].toLowerCase() === 'as';
    stages.push({
      index: stages.length,
      name: named ? inst.args[2].toLowerCase() : '',
      baseRaw,
      base: expandOr(baseRaw, global, df.escapeToken),
      instruction: inst,
    });
  }
  return stages;
}

/** The images the Dockerfile depends on, each once, in order of appearance. */
export function imageRefsOf(
  df: Dockerfile,
  buildArgs: Record<string, string> = {},
): { from: string[]; copyFrom: string[] } {
  const from = new Set<string>();
  const copyFrom = new Set<string>();
  for (const site of imageSites(df, buildArgs)) {
    if (!isRef(site.image)) continue;
    (site.kind === 'from' ? from : copyFrom).add(site.image);
  }
  return { from: [...from], copyFrom: [...copyFrom] };
}

/**
 * Every image reference in the file. A FROM names a stage when an earlier stage has that name;
 * a --from names a stage when any stage has it, or is a stage index.
 */
export function imageSites(df: Dockerfile, buildArgs: Record<string, string> = {}): ImageSite[] {
  const stages = stagesOf(df, buildArgs);
  const allNames = new Set(stages.map((s) => s.name).filter((n) => n !== ''));
  const isStage = (image: string) => /^\d+$/.test(image) || allNames.has(image.toLowerCase());
  const esc = df.escapeToken;
  const global = globalArgs(df, buildArgs);
  const sites: ImageSite[] = [];
  let stage = -1;
  let env = new Map<string, string>();

  for (const inst of df.instructions) {
    if (inst.cmd === 'FROM') {
      const s = stages[++stage];
      env = new Map();
      if (!s) continue;
      const earlier = stages.slice(0, stage).some((p) => p.name && p.name === s.base.toLowerCase());
      if (!earlier && s.base !== '' && s.base !== 'scratch') sites.push(fromSite(inst, s.base));
    } else if (stage < 0) {
      continue;
    } else if (inst.cmd === 'ARG') {
      for (const word of inst.args) {
        const [key, value] = splitArg(word);
        // A stage ARG without a default takes the global ARG of the same name.
        const v = argValue(key, value, env, buildArgs, esc) ?? global.get(key);
        if (v !== undefined) env.set(key, v);
      }
    } else if (inst.cmd === 'ENV') {
      for (let k = 0; k + 1 < inst.args.length; k += 2) {
        env.set(inst.args[k], expandOr(inst.args[k + 1], env, esc));
      }
    } else if (inst.cmd === 'COPY') {
      for (const flag of inst.flagList) {
        if (flag.name !== 'from' || flag.value === null) continue;
        const image = expandOr(flag.value, env, esc);
        if (image !== '' && !isStage(image)) sites.push(copySite(inst, flag, image));
      }
    } else if (inst.cmd === 'RUN') {
      for (const flag of inst.flagList) {
        if (flag.name !== 'mount' || flag.value === null) continue;
        const site = mountSite(inst, flag, env, esc);
        if (site && site.image !== '' && !isStage(site.image)) sites.push(site);
      }
    }
  }
  return sites;
}

/** ARGs before the first FROM, with their defaults, overridden by build args. */
function globalArgs(df: Dockerfile, buildArgs: Record<string, string>): Map<string, string> {
  const env = new Map<string, string>();
  for (const inst of df.instructions) {
    if (inst.cmd === 'FROM') break;
    if (inst.cmd !== 'ARG') continue;
    for (const word of inst.args) {
      const [key, value] = splitArg(word);
      const v = argValue(key, value, env, buildArgs, df.escapeToken);
      if (v !== undefined) env.set(key, v);
    }
  }
  return env;
}

/** An ARG's value: the build arg if given, else its default expanded in `scope`. */
function argValue(
  key: string,
  value: string | undefined,
  scope: ReadonlyMap<string, string>,
  buildArgs: Record<string, string>,
  escape: string,
): string | undefined {
  if (Object.hasOwn(buildArgs, key)) return buildArgs[key];
  return value === undefined ? undefined : expandOr(value, scope, escape);
}

function splitArg(word: string): [string, string | undefined] {
  const eq = word.indexOf('=');
  return eq < 0 ? [word, undefined] : [word.slice(0, eq), word.slice(eq + 1)];
}

/** Expanded word, or the word as written when it does not parse (as Tilt falls back). */
function expandOr(word: string, env: ReadonlyMap<string, string>, escape: string): string {
  try {
    return expandWord(word, env, { escape });
  } catch (e) {
    if (e instanceof ShellWordError) return word;
    throw e;
  }
}

function isRef(image: string): boolean {
  try {
    parseRef(image);
    return true;
  } catch (e) {
    if (e instanceof RefError) return false;
    throw e;
  }
}

function fromSite(inst: Instruction, image: string): ImageSite {
  const at = inst.argsAt;
  let end = at;
  while (end < inst.original.length && !/[\t\v\f\r ]/.test(inst.original[end])) end++;
  return { kind: 'from', image, instruction: inst, at, end, render: (s) => s };
}

function copySite(inst: Instruction, flag: Flag, image: string): ImageSite {
  const { at, end } = flag;
  return { kind: 'copy', image, instruction: inst, at, end, render: (s) => `--from=${s}` };
}

/**
 * A RUN --mount's `from=` field. The mount spec is CSV; when the flag was written plainly the
 * field's value is replaced in place, otherwise the whole flag is rewritten.
 */
function mountSite(
  inst: Instruction,
  flag: Flag,
  env: ReadonlyMap<string, string>,
  escape: string,
): ImageSite | undefined {
  const fields = splitCSV(flag.value ?? '');
  const idx = fields.findIndex((f) => f.toLowerCase().startsWith('from='));
  if (idx < 0) return undefined;
  const image = expandOr(fields[idx].slice('from='.length), env, escape);
  const written = inst.original.slice(flag.at, flag.end);
  const plain = `--${flag.name}=${flag.value}`;
  if (written === plain && !plain.includes('"')) {
    let at = flag.at + `--${flag.name}=`.length;
    for (let k = 0; k < idx; k++) at += fields[k].length + 1;
    at += 'from='.length;
    const end = at + fields[idx].length - 'from='.length;
    return { kind: 'mount', image, instruction: inst, at, end, render: (s) => s };
  }
  const render = (s: string) => {
    const out = fields.map((f, k) => csvQuote(k === idx ? `from=${s}` : f));
    return `--${flag.name}=${out.join(',')}`;
  };
  return { kind: 'mount', image, instruction: inst, at: flag.at, end: flag.end, render };
}

function splitCSV(s: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields;
}

function csvQuote(field: string): string {
  return /[",\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

// Files and data: read_file, watch_file, listdir, blob, the JSON and YAML
// readers, decoders and encoders, and local_git_repo. Every file the
// Tiltfile reads becomes a config file, so editing it re-runs the Tiltfile.

import { lstatSync, readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { join as joinPath } from 'node:path';
import { EvalError } from '../../starlark/errors.js';
import {
  Builtin,
  List,
  None,
  StarObject,
  type HashKey,
  type Value,
} from '../../starlark/values/value.js';
import { fromHost, tiltBuiltin, type Args } from '../args.js';
import type { TiltfileContext } from '../context.js';
import { Blob } from '../values.js';
import { fromData, toData } from './files-data.js';
import { decodeJSONData, encodeJSONData, JSONSyntaxError, JSONValueError } from './files-json.js';
import { decodeYAMLStream, encodeYAMLData, YAMLDecodeError } from './files-yaml.js';
import { join } from './os-filepath.js';

// ---- watched paths ----

/** The paths the Tiltfile read or asked to watch (the `watch` part of the context). */
export interface WatchRecords {
  /** Every path recorded, in order; each is also a config file of the context. */
  paths: string[];
  /** The paths watched recursively (watch_file, listdir(recursive=True)). */
  recursive: Set<string>;
}

export function watchRecords(ctx: TiltfileContext): WatchRecords {
  return ctx.part<WatchRecords>('watch', () => ({ paths: [], recursive: new Set() }));
}

/**
 * Records a path whose change should re-run the Tiltfile. A file read is
 * watched if it is a file or does not exist yet (so that its creation is
 * seen), never if it is a directory; a recursive watch covers a whole tree.
 */
export function recordRead(ctx: TiltfileContext, path: string, recursive = false): void {
  if (!recursive) {
    try {
      if (lstatSync(path).isDirectory()) return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return;
    }
  }
  const w = watchRecords(ctx);
  if (!w.paths.includes(path)) w.paths.push(path);
  if (recursive) w.recursive.add(path);
  ctx.addConfigFile(path);
}

/** Go's message for a failed os.ReadFile. */
export function readError(path: string, e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return `open ${path}: no such file or directory`;
    case 'EISDIR':
      return `read ${path}: is a directory`;
    case 'EACCES':
      return `open ${path}: permission denied`;
    case 'ENOTDIR':
      return `open ${path}: not a directory`;
    case 'ELOOP':
      return `open ${path}: too many levels of symbolic links`;
    default:
      return `open ${path}: ${e.message}`;
  }
}

/**
 * Reads a file the Tiltfile depends on (recording it as a config file).
 * Returns undefined when the file does not exist and `missingOk`.
 */
export function readConfigFile(
  ctx: TiltfileContext,
  fn: string,
  path: string,
  missingOk = false,
): string | undefined {
  recordRead(ctx, path);
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' && missingOk) return undefined;
    throw new EvalError(`${fn}: ${readError(path, err)}`);
  }
}

// ---- JSON and YAML ----

function decodeJSON(text: string, source: string): Value {
  try {
    return fromData(decodeJSONData(text));
  } catch (e) {
    if (e instanceof JSONSyntaxError) {
      throw new EvalError(`error parsing JSON${source ? ` from ${source}` : ''}: ${e.message}`);
    }
    throw e;
  }
}

function decodeYAML(text: string, source: string): List {
  try {
    return new List(decodeYAMLStream(text).map(fromData));
  } catch (e) {
    if (e instanceof YAMLDecodeError) {
      throw new EvalError(`error parsing YAML${source ? ` from ${source}` : ''}: ${e.message}`);
    }
    throw e;
  }
}

/** The one document of a stream (None for an empty stream). */
function singleDoc(l: List): Value {
  if (l.elems.length === 0) return None;
  if (l.elems.length === 1) return l.elems[0];
  throw new EvalError(
    'expected a yaml document but found a yaml stream (documents separated by `---`). use decode_yaml_stream instead to decode a yaml stream',
  );
}

function encodeJSON(v: Value): string {
  const d = toData(v);
  try {
    return encodeJSONData(d);
  } catch (e) {
    if (e instanceof JSONValueError)
      throw new EvalError(`error serializing object to json: ${e.message}`);
    throw e;
  }
}

function encodeYAML(v: Value): string {
  const d = toData(v);
  try {
    return encodeYAMLData(d);
  } catch (e) {
    if (e instanceof JSONValueError) {
      throw new EvalError(
        `error serializing object to yaml: error marshaling into JSON: ${e.message}`,
      );
    }
    throw e;
  }
}

/** The path argument as the user wrote it (error messages name the file so). */
function rawPath(a: Args): string {
  return a.string('paths');
}

// ---- listdir ----

/**
 * Calls visit for each entry under dir that is not a directory, in Go's
 * filepath.WalkDir order (lexical per directory), going into subdirectories
 * when recursive. Directories that cannot be read are passed over.
 */
export function walkSorted(
  dir: string,
  visit: (path: string, entry: Dirent) => void,
  recursive = true,
): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  for (const e of entries) {
    const p = joinPath(dir, e.name);
    if (!e.isDirectory()) visit(p, e);
    else if (recursive) walkSorted(p, visit, recursive);
  }
}

// ---- local_git_repo ----

/** The value of local_git_repo(): a repository whose .paths(p) are absolute paths under it. */
export class GitRepo extends StarObject {
  private readonly pathsFn: Builtin;
  constructor(
    ctx: TiltfileContext,
    readonly basePath: string,
  ) {
    super();
    this.pathsFn = tiltBuiltin(ctx, 'paths', ['paths'], (a) =>
      fromHost(join(this.basePath, a.string('paths'))),
    );
  }
  get type() {
    return 'git.Repo';
  }
  override truth() {
    return this.basePath !== '';
  }
  override hashKey(): HashKey {
    throw new EvalError('unhashable type: git.Repo');
  }
  repr(out: string[]) {
    out.push(fromHost(`[git.Repo] '${this.basePath}'`));
  }
  attr(name: string): Value | undefined {
    return name === 'paths' ? this.pathsFn : undefined;
  }
  attrNames(): string[] {
    return ['paths'];
  }
}

// ---- the builtins ----

export function register(ctx: TiltfileContext, out: Map<string, Value>): void {
  const add = (b: Builtin) => out.set(b.name, b);

  add(
    tiltBuiltin(ctx, 'read_file', ['paths', 'default?'], (a) => {
      const path = a.path('paths');
      const dflt = a.string('default');
      const text = readConfigFile(ctx, a.fn, path, dflt !== undefined);
      return new Blob(text ?? dflt ?? '', `file: ${path}`);
    }),
  );

  add(
    tiltBuiltin(ctx, 'watch_file', ['paths'], (a) => {
      recordRead(ctx, a.path('paths'), true);
      return None;
    }),
  );

  add(
    tiltBuiltin(ctx, 'listdir', ['dir', 'recursive?'], (a) => {
      const dir = a.path('dir');
      const recursive = a.bool('recursive', false);
      if (recursive) recordRead(ctx, dir, true);
      const files: string[] = [];
      // Like Go's filepath.WalkDir, a missing directory (or a symlink to one) lists nothing.
      let isDir = false;
      try {
        isDir = lstatSync(dir).isDirectory();
      } catch {
        isDir = false;
      }
      // Symlinks count as files.
      if (isDir) walkSorted(dir, (p) => files.push(p), recursive);
      return new List(files.map(fromHost));
    }),
  );

  add(
    tiltBuiltin(ctx, 'blob', ['input'], (a) => new Blob(a.string('input'), 'Tiltfile blob() call')),
  );

  add(
    tiltBuiltin(ctx, 'read_json', ['paths', 'default?'], (a) => {
      const text = readConfigFile(ctx, a.fn, a.path('paths'), a.has('default'));
      if (text === undefined) return a.get('default')!;
      return decodeJSON(text, rawPath(a));
    }),
  );

  add(
    tiltBuiltin(ctx, 'read_yaml', ['paths', 'default?'], (a) => {
      const text = readConfigFile(ctx, a.fn, a.path('paths'), a.has('default'));
      if (text === undefined) return a.get('default')!;
      return singleDoc(decodeYAML(text, rawPath(a)));
    }),
  );

  add(
    tiltBuiltin(ctx, 'read_yaml_stream', ['paths', 'default?'], (a) => {
      const dflt = a.get('default');
      if (dflt !== undefined && !(dflt instanceof List)) throw a.error('default', dflt, 'list');
      const text = readConfigFile(ctx, a.fn, a.path('paths'), dflt !== undefined);
      if (text === undefined) return dflt!;
      return decodeYAML(text, rawPath(a));
    }),
  );

  add(tiltBuiltin(ctx, 'decode_json', ['json'], (a) => decodeJSON(a.string('json'), '')));

  add(
    tiltBuiltin(ctx, 'decode_yaml', ['yaml'], (a) => singleDoc(decodeYAML(a.string('yaml'), ''))),
  );

  add(tiltBuiltin(ctx, 'decode_yaml_stream', ['yaml'], (a) => decodeYAML(a.string('yaml'), '')));

  add(tiltBuiltin(ctx, 'encode_json', ['obj'], (a) => fromHost(encodeJSON(a.get('obj') ?? None))));

  add(
    tiltBuiltin(
      ctx,
      'encode_yaml',
      ['obj'],
      (a) => new Blob(encodeYAML(a.get('obj') ?? None), 'encode_yaml'),
    ),
  );

  add(
    tiltBuiltin(ctx, 'encode_yaml_stream', ['objs'], (a) => {
      const objs = a.get('objs')!;
      if (!(objs instanceof List)) throw a.error('objs', objs, 'list');
      const docs = objs.elems.map(encodeYAML);
      return new Blob(docs.join('---\n'), 'encode_yaml_stream');
    }),
  );

  add(
    tiltBuiltin(ctx, 'local_git_repo', ['paths'], (a) => {
      const path = a.path('paths');
      try {
        statSync(path);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const why = err.code === 'ENOENT' ? 'no such file or directory' : err.message;
        throw new EvalError(`Reading paths ${path}: stat ${path}: ${why}`);
      }
      try {
        statSync(joinPath(path, '.git'));
      } catch {
        throw new EvalError(`${path} isn't a valid git repo: it doesn't have a .git/ directory`);
      }
      return new GitRepo(ctx, path);
    }),
  );
}

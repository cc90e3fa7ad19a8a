// The os, shlex and sys modules. Relative paths resolve against the
// directory of the Tiltfile being executed; the environment is the
// context's (os.putenv changes what later commands see).

import { realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { EvalError } from '../../starlark/errors.js';
import {
  Builtin,
  Dict,
  List,
  Module,
  None,
  typeOf,
  type HashKey,
  type Kwargs,
  type ThreadLike,
  type Value,
} from '../../starlark/values/value.js';
import { fromHost, tiltBuiltin, toHost } from '../args.js';
import type { TiltfileContext } from '../context.js';
import { Blob } from '../values.js';
import { recordRead } from './files.js';
import { base, clean, dir, join, rel } from './os-filepath.js';

/** A string argument: a string or a blob, as host text. */
function hostString(v: Value): string | undefined {
  if (typeof v === 'string') return toHost(v);
  if (v instanceof Blob) return v.text;
  return undefined;
}

/**
 * os.environ: a dict that reads and writes the context's environment.
 * Reading always reflects the current environment; assigning to a key sets
 * the variable, deleting (pop, clear) unsets it.
 */
export class Environ extends Dict {
  constructor(private readonly env: Record<string, string>) {
    super();
    // The entries live in the environment itself, not in the dict.
    Object.defineProperty(this, 'map', {
      get: () => {
        const m = new Map<HashKey, Value>();
        for (const [k, v] of Object.entries(this.env)) m.set(fromHost(k), fromHost(v));
        return m;
      },
      set: () => {},
    });
  }
  override get type() {
    return 'environ';
  }
  override freeze() {}
  override set(k: Value, v: Value): void {
    const key = hostString(k);
    if (key === undefined) throw new EvalError(`putenv() key must be a string, not ${typeOf(k)}`);
    const val = hostString(v);
    if (val === undefined) throw new EvalError(`putenv() value must be a string, not ${typeOf(v)}`);
    this.checkMutable('insert into');
    this.env[key] = val;
  }
  override setUnchecked(k: Value, v: Value): void {
    this.set(k, v);
  }
  override copyFrom(d: Dict): void {
    for (const { k, v } of d.entries()) this.set(k, v);
  }
  override delete(k: Value): Value | undefined {
    const key = hostString(k);
    if (key === undefined || !Object.prototype.hasOwnProperty.call(this.env, key)) return undefined;
    this.checkMutable('delete from');
    const old = this.env[key];
    delete this.env[key];
    return fromHost(old);
  }
  override clear(): void {
    this.checkMutable('clear');
    for (const k of Object.keys(this.env)) delete this.env[k];
  }
}

/** shlex.quote: a shell-escaped token (as github.com/alessio/shellescape quotes it). */
export function shellQuote(s: string): string {
  if (s === '') return "''";
  if (!/[^\w@%+=:,./-]/.test(s)) return s;
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}

/** The command line sys.argv shows: the Tilt program and its arguments. */
function commandLine(): string[] {
  const [, script, ...rest] = process.argv;
  return [script ?? 'tilt', ...rest];
}

function executable(): string {
  const script = process.argv[1];
  return script ? resolve(script) : process.execPath;
}

export function register(ctx: TiltfileContext, out: Map<string, Value>): void {
  const path = new Module(
    'os.path',
    new Map<string, Value>([
      [
        'abspath',
        tiltBuiltin(ctx, 'os.path.abspath', ['path'], (a) =>
          fromHost(ctx.absPath(a.string('path'))),
        ),
      ],
      [
        'relpath',
        tiltBuiltin(ctx, 'os.path.relpath', ['targpath', 'basepath?'], (a) => {
          try {
            return fromHost(rel(a.string('basepath', ctx.dir), a.string('targpath')));
          } catch (e) {
            throw new EvalError((e as Error).message);
          }
        }),
      ],
      [
        'basename',
        tiltBuiltin(ctx, 'os.path.basename', ['path'], (a) => fromHost(base(a.string('path')))),
      ],
      [
        'dirname',
        tiltBuiltin(ctx, 'os.path.dirname', ['path'], (a) => fromHost(dir(a.string('path')))),
      ],
      [
        'exists',
        tiltBuiltin(ctx, 'os.path.exists', ['path'], (a) => {
          const p = a.path('path');
          // Watch the path itself (a file, or one that may appear), never a whole directory tree.
          recordRead(ctx, p);
          try {
            statSync(p);
            return true;
          } catch {
            return false;
          }
        }),
      ],
      ['join', new Builtin('os.path.join', pathJoin)],
      [
        'realpath',
        tiltBuiltin(ctx, 'os.path.realpath', ['path'], (a) => {
          const p = a.path('path');
          try {
            return fromHost(realpathSync(p));
          } catch (e) {
            const err = e as NodeJS.ErrnoException;
            const why = err.code === 'ENOENT' ? 'no such file or directory' : err.message;
            throw new EvalError(`lstat ${clean(p)}: ${why}`);
          }
        }),
      ],
    ]),
  );

  const os = new Module(
    'os',
    new Map<string, Value>([
      ['environ', new Environ(ctx.env)],
      ['getcwd', tiltBuiltin(ctx, 'os.getcwd', [], () => fromHost(ctx.dir))],
      [
        'getenv',
        tiltBuiltin(ctx, 'os.getenv', ['key', 'default?'], (a) => {
          const key = a.string('key');
          if (Object.prototype.hasOwnProperty.call(ctx.env, key)) return fromHost(ctx.env[key]);
          return a.get('default') ?? None;
        }),
      ],
      [
        'putenv',
        tiltBuiltin(ctx, 'os.putenv', ['key', 'value'], (a) => {
          ctx.env[a.string('key')] = a.string('value');
          return None;
        }),
      ],
      [
        'unsetenv',
        tiltBuiltin(ctx, 'os.unsetenv', ['key'], (a) => {
          delete ctx.env[a.string('key')];
          return None;
        }),
      ],
      ['name', 'posix'],
      ['path', path],
    ]),
  );
  out.set('os', os);

  out.set(
    'shlex',
    new Module(
      'shlex',
      new Map<string, Value>([
        [
          'quote',
          tiltBuiltin(ctx, 'shlex.quote', ['name'], (a) => fromHost(shellQuote(a.string('name')))),
        ],
      ]),
    ),
  );

  const argv = new List(commandLine().map(fromHost));
  argv.freeze();
  out.set(
    'sys',
    new Module(
      'sys',
      new Map<string, Value>([
        ['argv', argv],
        ['executable', fromHost(executable())],
      ]),
    ),
  );
}

/** os.path.join(path, *paths): Go's filepath.Join of the parts. */
function pathJoin(_t: ThreadLike, args: Value[], kwargs: Kwargs, self: Builtin): Value {
  if (kwargs.length > 0) {
    throw new EvalError(`${self.name}: unexpected keyword argument "${toHost(kwargs[0][0])}"`);
  }
  if (args.length === 0) throw new EvalError(`${self.name}: missing argument for path`);
  const parts = args.map((v, i) => {
    const s = hostString(v);
    if (s === undefined) {
      throw new EvalError(`${self.name}: for parameter ${i + 1}: got ${typeOf(v)}, want string`);
    }
    return s;
  });
  return fromHost(join(...parts));
}

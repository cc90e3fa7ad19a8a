// Runs files in the chunked format of go.starlark.net's test suite
// (../shared/conformance/starlark/README.md): each `---`-separated chunk is a
// program; a `### "regexp"` comment expects an error at its own line.

import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { EvalError, StarlarkSyntaxError, StarlarkSyntaxErrors } from '../errors.js';
import { Thread } from '../eval/thread.js';
import { execFile, parseAndResolve, sourceText } from '../interp.js';
import { jsonModule } from '../lib/json.js';
import { mathModule } from '../lib/math.js';
import { moduleBuiltin, structBuiltin } from '../lib/universe.js';
import { parse } from '../syntax/parser.js';
import { STANDARD_DIALECT, type DialectOptions } from '../resolve/resolver.js';
import { decodeUtf8 } from '../values/utf8.js';
import type { Value } from '../values/value.js';
import { goRegExp, hostBuiltins } from './host.js';

export interface ChunkResult {
  file: string;
  /** Line of the chunk's first line. */
  line: number;
  failures: string[];
}

interface Chunk {
  startLine: number;
  /** Source padded with blank lines so line numbers match the whole file. */
  src: string;
  text: string;
}

const OPTIONS: (keyof DialectOptions)[] = [
  'set',
  'while',
  'toplevelcontrol',
  'globalreassign',
  'loadbindsglobally',
  'recursion',
];

export function splitChunks(src: string): Chunk[] {
  const lines = src.split('\n');
  const chunks: Chunk[] = [];
  let start = 0;
  for (let i = 0; i <= lines.length; i++) {
    if (i === lines.length || lines[i] === '---') {
      const body = lines.slice(start, i);
      chunks.push({
        startLine: start + 1,
        src: '\n'.repeat(start) + body.join('\n'),
        text: body.join('\n'),
      });
      start = i + 1;
    }
  }
  return chunks;
}

/** Expected errors by line: the Go string literal after `###`, as a regexp. */
export function expectations(chunk: Chunk): Map<number, RegExp> {
  const out = new Map<number, RegExp>();
  chunk.src.split('\n').forEach((line, i) => {
    const at = line.indexOf('###');
    if (at < 0) return;
    const lit = line.slice(at + 3).trim();
    out.set(i + 1, goRegExp(unquoteGo(lit)));
  });
  return out;
}

/** A Go string literal: "..." with escapes, or `...` raw. */
function unquoteGo(lit: string): string {
  if (lit.startsWith('`')) return lit.slice(1, lit.indexOf('`', 1));
  if (lit.startsWith('"')) {
    let out = '';
    for (let i = 1; i < lit.length; i++) {
      const c = lit[i];
      if (c === '"') break;
      if (c === '\\') {
        const n = lit[++i];
        out += n === 'n' ? '\n' : n === 't' ? '\t' : n;
      } else out += c;
    }
    return out;
  }
  return lit;
}

function dialectOf(text: string): DialectOptions {
  const d = { ...STANDARD_DIALECT };
  for (const o of OPTIONS) if (text.includes(`option:${o}`)) d[o] = true;
  return d;
}

interface FoundError {
  line: number;
  msg: string;
}

/** Errors of a failed chunk, with the line each belongs to in this file. */
function errorsOf(e: unknown, path: string): FoundError[] {
  if (e instanceof StarlarkSyntaxErrors)
    return e.errors.map((x) => ({ line: x.pos.line, msg: x.msg }));
  if (e instanceof StarlarkSyntaxError) return [{ line: e.pos.line, msg: e.msg }];
  if (e instanceof EvalError) {
    const frame = e.frames.find((f) => f.pos && f.pos.file === path);
    return [{ line: frame?.pos?.line ?? 0, msg: e.msg }];
  }
  return [{ line: 0, msg: `JavaScript exception: ${e instanceof Error ? e.stack : String(e)}` }];
}

export class ConformanceRunner {
  private assertCache = new Map<string, Map<string, Value>>();
  /** Failures reported by `error()` in the running chunk. */
  private reported: string[] = [];
  private host = hostBuiltins((_t, msg) => this.reported.push(decodeUtf8(msg)));

  constructor(private readonly lib?: string) {}

  private predeclared(): Map<string, Value> {
    const m = new Map(this.host);
    m.set('struct', structBuiltin);
    m.set('module', moduleBuiltin);
    return m;
  }

  private load(libDir: string, module: string): Map<string, Value> {
    if (module === 'json.star') return new Map([['json', jsonModule]]);
    if (module === 'math.star') return new Map([['math', mathModule]]);
    const path = join(libDir, module);
    let g = this.assertCache.get(path);
    if (!g) {
      const thread = new Thread({ name: `load ${module}` });
      g = execFile(thread, path, readFileSync(path), { predeclared: this.predeclared() });
      this.assertCache.set(path, g);
    }
    return g;
  }

  runFile(path: string): ChunkResult[] {
    const src = sourceText(readFileSync(path));
    const name = basename(path);
    const mode = name === 'errors.star' ? 'parse' : name === 'resolve.star' ? 'resolve' : 'exec';
    const libDir = this.lib ?? dirname(path);
    return splitChunks(src).map((chunk) => this.runChunk(path, chunk, mode, libDir));
  }

  private runChunk(
    path: string,
    chunk: Chunk,
    mode: 'parse' | 'resolve' | 'exec',
    libDir: string,
  ): ChunkResult {
    const want = expectations(chunk);
    const failures: string[] = [];
    this.reported = [];
    let found: FoundError[] = [];
    const dialect = dialectOf(chunk.text);
    try {
      if (mode === 'parse') {
        parse(path, chunk.src);
      } else if (mode === 'resolve') {
        // M is module-specific and U universal upstream; the difference is unobservable.
        const predeclared = new Map<string, Value>([
          ['M', 0],
          ['U', 0],
        ]);
        parseAndResolve(path, Buffer.from(chunk.src, 'latin1'), predeclared, dialect);
      } else {
        const thread = new Thread({
          print: () => {},
          load: (_t, module) => this.load(libDir, module),
          maxSteps: 1e8,
        });
        execFile(thread, path, Buffer.from(chunk.src, 'latin1'), {
          predeclared: this.predeclared(),
          dialect,
        });
      }
    } catch (e) {
      found = errorsOf(e, path);
    }
    for (const msg of this.reported) failures.push(`error: ${msg}`);
    const matched = new Set<number>();
    for (const f of found) {
      const re = want.get(f.line);
      if (!re) failures.push(`line ${f.line}: unexpected error: ${decodeUtf8(f.msg)}`);
      else if (!re.test(decodeUtf8(f.msg))) {
        failures.push(`line ${f.line}: error "${decodeUtf8(f.msg)}" does not match ${re}`);
      } else matched.add(f.line);
    }
    for (const [line, re] of want) {
      if (!matched.has(line) && !found.some((f) => f.line === line)) {
        failures.push(`line ${line}: expected an error matching ${re}`);
      }
    }
    return { file: path, line: chunk.startLine, failures };
  }
}

/** Runs the files; prints one line per failing chunk and a closing count. */
export function runConformance(
  files: string[],
  lib: string | undefined,
  out: (s: string) => void,
): number {
  const runner = new ConformanceRunner(lib);
  let passed = 0;
  let failed = 0;
  for (const f of files) {
    let results: ChunkResult[];
    try {
      results = runner.runFile(f);
    } catch (e) {
      failed++;
      out(`${f}: cannot run: ${e instanceof Error ? e.message : String(e)}\n`);
      continue;
    }
    for (const r of results) {
      if (r.failures.length === 0) passed++;
      else {
        failed++;
        out(`${r.file}:${r.line}: FAIL: ${r.failures.join('; ')}\n`);
      }
    }
  }
  out(`${passed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}

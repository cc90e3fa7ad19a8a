// Compiles each resolved Starlark function into a JavaScript function
// (via `new Function`), so that V8 optimizes Starlark code like its own:
// locals are JavaScript variables, loops are JavaScript loops, and small-int
// arithmetic and comparisons are inline. Everything else calls the helpers
// of runtime.ts.
//
// Errors: before each operation that can fail, the generated code stores the
// operation's index in the position table in `$p`; the function's single
// try/catch attaches that position to the error (one frame per activation).

import type { Position } from '../errors.js';
import type {
  Arg,
  AssignOp,
  Binding,
  Comprehension,
  Expr,
  File,
  FunctionInfo,
  Ident,
  Pos,
  Stmt,
} from '../syntax/ast.js';
import { containsLoop, forEachChild, targetIdents } from '../syntax/walk.js';
import { Float, type Value } from '../values/value.js';
import { StarFunction, type Code, type ModuleState } from './function.js';
import { runtime, type MethodCache } from './runtime.js';

export interface CompiledModule {
  module: ModuleState;
  toplevel: StarFunction;
}

export function compileFile(
  file: File,
  predeclared: Map<string, Value>,
  universe: Map<string, Value>,
  recursion: boolean,
): CompiledModule {
  const module: ModuleState = {
    file: file.path,
    globals: new Array(file.globals!.length).fill(undefined),
    globalNames: file.globals!,
    recursion,
  };
  const ctx: FileContext = { module, predeclared, universe, positions: [] };
  const code = compileFunction(ctx, file.toplevel!, { stmts: file.stmts });
  return { module, toplevel: new StarFunction(code, [], []) };
}

interface FileContext {
  module: ModuleState;
  predeclared: Map<string, Value>;
  universe: Map<string, Value>;
  /** Positions of operations, indexed by the `$p` values of all functions of the file. */
  positions: Position[];
}

const MAX_SAFE = '9007199254740991';

/** A JavaScript function scope being generated: the function itself or a comprehension in it. */
interface Scope {
  temps: number;
  /** Slots declared in this scope (comprehension variables live in their comprehension's scope). */
  declared: Set<number>;
}

function compileFunction(
  ctx: FileContext,
  info: FunctionInfo,
  body: { stmts?: Stmt[]; expr?: Expr },
): Code {
  const g = new FunctionGen(ctx, info);
  const src = g.generate(body);
  const consts = g.consts;
  const factory = new Function('$', 'C', 'P', 'G', src) as (
    $: typeof runtime,
    C: unknown[],
    P: Position[],
    G: (Value | undefined)[],
  ) => Code['body'];
  return {
    info,
    module: ctx.module,
    paramNames: info.locals.slice(0, info.numParams).map((b) => b.name),
    body: factory(runtime, consts, ctx.positions, ctx.module.globals),
    active: 0,
  };
}

class FunctionGen {
  readonly consts: unknown[] = [];
  private scopes: Scope[] = [];
  private lines: string[] = [];
  private indent = 2;
  private loopDepth = 0;
  /** Slots owned by comprehensions (declared inside their generated arrow functions). */
  private compSlots = new Set<number>();
  private nparamSlots: number;

  constructor(
    readonly ctx: FileContext,
    readonly info: FunctionInfo,
  ) {
    this.nparamSlots = info.numParams + (info.hasVarargs ? 1 : 0) + (info.hasKwargs ? 1 : 0);
  }

  private scope(): Scope {
    return this.scopes[this.scopes.length - 1];
  }

  private temp(): string {
    return `$t${this.scope().temps++}`;
  }

  private konst(v: unknown): string {
    this.consts.push(v);
    return `C[${this.consts.length - 1}]`;
  }

  private pos(p: Pos): number {
    this.ctx.positions.push({ file: this.ctx.module.file, line: p.line, col: p.col });
    return this.ctx.positions.length - 1;
  }

  private emit(line: string) {
    this.lines.push(' '.repeat(this.indent) + line);
  }

  generate(body: { stmts?: Stmt[]; expr?: Expr }): string {
    const info = this.info;
    this.collectCompSlots(body.stmts ?? [], body.expr);
    this.scopes.push({ temps: 0, declared: new Set() });
    this.indent = 4;
    if (body.stmts) this.stmts(body.stmts);
    else this.emit(`return ${this.expr(body.expr!)};`);
    this.emit('return $.None;');
    const bodyLines = this.lines;
    const scope = this.scopes.pop()!;

    const head: string[] = [];
    const simple = !info.hasVarargs && !info.hasKwargs && info.numKwonly === 0;
    if (this.nparamSlots === 0)
      head.push('  if (A.length + KW.length > 0) $.checkNoArgs(fn, A, KW);');
    else if (simple)
      head.push(
        `  const L = KW.length === 0 && A.length === ${info.numParams} ? A : $.bindArgs(fn, A, KW);`,
      );
    else head.push('  const L = $.bindArgs(fn, A, KW);');
    const decls: string[] = [];
    info.locals.forEach((b, i) => {
      if (this.compSlots.has(i)) return;
      const init = i < this.nparamSlots ? `L[${i}]` : 'undefined';
      if (b.scope === 'cell') head.push(`  const x${i} = new $.Cell(${init});`);
      else if (i < this.nparamSlots) head.push(`  let x${i} = L[${i}];`);
      else decls.push(`x${i}`);
    });
    if (decls.length) head.push(`  let ${decls.join(', ')};`);
    if (info.freevars.length) head.push('  const F = fn.freevars;');
    for (let i = 0; i < scope.temps; i++) head.push(`  let $t${i};`);
    const activation = this.nparamSlots === 0 ? 'A' : 'L';
    return [
      `return function ${jsName(info.name)}(th, fn, A, KW) {`,
      ...head,
      '  let $p = 0;',
      '  try {',
      ...bodyLines,
      '  } catch (e) {',
      `    throw $.locate(e, ${activation}, ${JSON.stringify(info.name)}, P[$p]);`,
      '  }',
      '};',
    ].join('\n');
  }

  /** The activation token used to attach one frame per call. */
  private activation(): string {
    return this.nparamSlots === 0 ? 'A' : 'L';
  }

  // ---- comprehension slots ----

  private collectCompSlots(stmts: Stmt[], expr?: Expr) {
    const visitExpr = (e: Expr | undefined): void => {
      if (!e) return;
      switch (e.k) {
        case 'comp':
          for (const c of e.clauses) {
            if (c.k === 'for') {
              for (const id of targetIdents(c.vars)) {
                const b = id.binding!;
                if (b.scope === 'local' || b.scope === 'cell') this.compSlots.add(b.index);
              }
              visitExpr(c.x);
            } else visitExpr(c.cond);
          }
          if (e.body.k === 'entry') {
            visitExpr(e.body.key);
            visitExpr(e.body.value);
          } else visitExpr(e.body);
          return;
        case 'lambda':
          for (const p of e.params) visitExpr(p.dflt);
          return; // its body is another function
        default:
          forEachChild(e, visitExpr);
      }
    };
    const visitStmt = (s: Stmt): void => {
      switch (s.k) {
        case 'expr':
          visitExpr(s.x);
          break;
        case 'assign':
          visitExpr(s.lhs);
          visitExpr(s.rhs);
          break;
        case 'def':
          for (const p of s.params) visitExpr(p.dflt);
          break;
        case 'if':
          visitExpr(s.cond);
          s.t.forEach(visitStmt);
          s.f.forEach(visitStmt);
          break;
        case 'for':
          visitExpr(s.vars);
          visitExpr(s.x);
          s.body.forEach(visitStmt);
          break;
        case 'while':
          visitExpr(s.cond);
          s.body.forEach(visitStmt);
          break;
        case 'return':
          visitExpr(s.x);
          break;
      }
    };
    stmts.forEach(visitStmt);
    visitExpr(expr);
  }

  // ---- statements ----

  private stmts(list: Stmt[]) {
    for (const s of list) this.stmt(s);
  }

  private block(list: Stmt[]) {
    this.indent += 2;
    this.stmts(list);
    this.indent -= 2;
  }

  private stmt(s: Stmt) {
    switch (s.k) {
      case 'expr':
        this.emit(`${this.expr(s.x)};`);
        return;
      case 'assign':
        if (s.op === '=') {
          const v = this.temp();
          this.emit(`${v} = ${this.expr(s.rhs)};`);
          this.assign(s.lhs, v);
        } else this.augmented(s.op, s.lhs, s.rhs, s.pos);
        return;
      case 'branch':
        if (s.tok !== 'pass') this.emit(`${s.tok};`);
        return;
      case 'return':
        this.emit(`return ${s.x ? this.expr(s.x) : '$.None'};`);
        return;
      case 'if':
        this.emit(`if ($.truth(${this.expr(s.cond)})) {`);
        this.block(s.t);
        if (s.f.length) {
          this.emit('} else {');
          this.block(s.f);
        }
        this.emit('}');
        return;
      case 'while':
        this.emit(`while ($.truth(${this.expr(s.cond)})) {`);
        this.indent += 2;
        this.emit(`if (++th.steps >= th.stepLimit) { $p = ${this.pos(s.pos)}; th.checkSteps(); }`);
        this.loopDepth++;
        this.stmts(s.body);
        this.loopDepth--;
        this.indent -= 2;
        this.emit('}');
        return;
      case 'for':
        this.forStmt(s);
        return;
      case 'def':
        this.assignIdent(s.name, this.makeFunction(s.fn!, { stmts: s.body }));
        return;
      case 'load': {
        const vals = this.temp();
        const k = this.pos(s.pos);
        const names = this.konst(s.from.map((id) => id.name));
        this.emit(`$p = ${k}; ${vals} = $.load(th, ${JSON.stringify(s.module)}, ${names});`);
        s.to.forEach((id, i) => this.assignIdent(id, `${vals}[${i}]`));
        return;
      }
    }
  }

  private forStmt(s: Extract<Stmt, { k: 'for' }>) {
    const seq = this.temp();
    const k = this.pos(s.pos);
    this.emit(`${seq} = ${this.expr(s.x)};`);
    const innermost = !containsLoop(s.body);
    this.loopDepth++;
    if (innermost && s.vars.k === 'ident') {
      // Innermost loops over a range run without an iterator object.
      const i = this.temp();
      const n = this.temp();
      this.emit(`if (${seq} instanceof $.Range) {`);
      this.indent += 2;
      this.emit(`for (${i} = 0, ${n} = ${seq}.len; ${i} < ${n}; ${i}++) {`);
      this.indent += 2;
      this.emit(`if (++th.steps >= th.stepLimit) { $p = ${k}; th.checkSteps(); }`);
      this.assign(s.vars, `${seq}.start + ${i} * ${seq}.step`);
      this.stmts(s.body);
      this.indent -= 2;
      this.emit('}');
      this.indent -= 2;
      this.emit('} else {');
      this.indent += 2;
      this.genericFor(s, seq, k);
      this.indent -= 2;
      this.emit('}');
    } else this.genericFor(s, seq, k);
    this.loopDepth--;
  }

  private genericFor(s: Extract<Stmt, { k: 'for' }>, seq: string, k: number) {
    this.iterationLoop(seq, k, s.vars, () => this.stmts(s.body));
  }

  /**
   * A loop over any iterable `seq` (a JS expression), assigning each element to
   * `vars` and running `body`; the iterator is released however the loop ends.
   */
  private iterationLoop(seq: string, k: number, vars: Expr, body: () => void) {
    const it = this.temp();
    const v = this.temp();
    this.emit(`$p = ${k}; ${it} = $.iter(${seq});`);
    this.emit('try {');
    this.indent += 2;
    this.emit(`while ((${v} = ${it}.next()) !== undefined) {`);
    this.indent += 2;
    this.emit(`if (++th.steps >= th.stepLimit) { $p = ${k}; th.checkSteps(); }`);
    this.assign(vars, v);
    body();
    this.indent -= 2;
    this.emit('}');
    this.indent -= 2;
    this.emit(`} finally { ${it}.done(); }`);
  }

  // ---- assignment ----

  /** Emits the assignment of the JS expression `v` (evaluated once) to a target. */
  private assign(lhs: Expr, v: string) {
    switch (lhs.k) {
      case 'ident':
        this.assignIdent(lhs, v);
        return;
      case 'paren':
        this.assign(lhs.x, v);
        return;
      case 'index': {
        const val = this.temp();
        const x = this.temp();
        const y = this.temp();
        this.emit(`${val} = ${v}; ${x} = ${this.expr(lhs.x)}; ${y} = ${this.expr(lhs.y)};`);
        this.emit(`$p = ${this.pos(lhs.pos)}; $.setIndex(${x}, ${y}, ${val});`);
        return;
      }
      case 'dot': {
        const val = this.temp();
        const x = this.temp();
        this.emit(`${val} = ${v}; ${x} = ${this.expr(lhs.x)};`);
        this.emit(
          `$p = ${this.pos(lhs.pos)}; $.setAttr(${x}, ${JSON.stringify(lhs.name)}, ${val});`,
        );
        return;
      }
      case 'tuple':
      case 'list': {
        const elems = this.temp();
        this.emit(`$p = ${this.pos(lhs.pos)}; ${elems} = $.unpack(${v}, ${lhs.elems.length});`);
        lhs.elems.forEach((e, i) => this.assign(e, `${elems}[${i}]`));
        return;
      }
      default:
        throw new Error(`internal error: cannot assign to ${lhs.k}`);
    }
  }

  private assignIdent(id: Ident, v: string) {
    const b = id.binding!;
    switch (b.scope) {
      case 'local':
        this.emit(`x${b.index} = ${v};`);
        return;
      case 'cell':
        this.emit(`x${b.index}.v = ${v};`);
        return;
      case 'global':
        this.emit(`G[${b.index}] = ${v};`);
        return;
      default:
        throw new Error(`internal error: assignment to ${b.scope} ${b.name}`);
    }
  }

  private augmented(op: AssignOp, lhs: Expr, rhs: Expr, p: Pos) {
    const bop = JSON.stringify(op.slice(0, -1));
    const k = this.pos(p);
    switch (lhs.k) {
      case 'paren':
        this.augmented(op, lhs.x, rhs, p);
        return;
      case 'ident': {
        const old = this.temp();
        const y = this.temp();
        this.emit(`${old} = ${this.expr(lhs)}; ${y} = ${this.expr(rhs)};`);
        const r = this.temp();
        if (op === '+=') {
          this.emit(
            `if (typeof ${old} === 'number' && typeof ${y} === 'number' && (${r} = ${old} + ${y}) <= ${MAX_SAFE} && ${r} >= -${MAX_SAFE}) {} else { $p = ${k}; ${r} = $.inplace(${bop}, ${old}, ${y}); }`,
          );
        } else this.emit(`$p = ${k}; ${r} = $.inplace(${bop}, ${old}, ${y});`);
        this.assignIdent(lhs, r);
        return;
      }
      case 'index': {
        const x = this.temp();
        const i = this.temp();
        const old = this.temp();
        const y = this.temp();
        const ki = this.pos(lhs.pos);
        this.emit(`${x} = ${this.expr(lhs.x)}; ${i} = ${this.expr(lhs.y)};`);
        this.emit(`$p = ${ki}; ${old} = $.getIndex(${x}, ${i}); ${y} = ${this.expr(rhs)};`);
        this.emit(
          `$p = ${k}; ${y} = $.inplace(${bop}, ${old}, ${y}); $p = ${ki}; $.setIndex(${x}, ${i}, ${y});`,
        );
        return;
      }
      case 'dot': {
        const x = this.temp();
        const old = this.temp();
        const y = this.temp();
        const kd = this.pos(lhs.pos);
        const name = JSON.stringify(lhs.name);
        this.emit(`${x} = ${this.expr(lhs.x)};`);
        this.emit(`$p = ${kd}; ${old} = $.getAttr(${x}, ${name}); ${y} = ${this.expr(rhs)};`);
        this.emit(
          `$p = ${k}; ${y} = $.inplace(${bop}, ${old}, ${y}); $p = ${kd}; $.setAttr(${x}, ${name}, ${y});`,
        );
        return;
      }
      default:
        throw new Error(`internal error: augmented assignment to ${lhs.k}`);
    }
  }

  // ---- functions ----

  private makeFunction(info: FunctionInfo, body: { stmts?: Stmt[]; expr?: Expr }): string {
    const code = this.konst(compileFunction(this.ctx, info, body));
    const defaults: string[] = [];
    for (const p of info.params) {
      if (p.kind === 'plain') defaults.push('undefined');
      else if (p.kind === 'default') defaults.push(this.expr(p.dflt!));
    }
    const cells = info.freevars.map((b) => this.cellRef(b));
    return `$.makeFunction(${code}, [${defaults.join(', ')}], [${cells.join(', ')}])`;
  }

  private cellRef(b: Binding): string {
    if (b.scope === 'cell') return `x${b.index}`;
    if (b.scope === 'free') return `F[${b.index}]`;
    throw new Error(`internal error: capture of ${b.scope} ${b.name}`);
  }

  // ---- expressions ----

  /** A JavaScript expression computing e. */
  expr(e: Expr): string {
    switch (e.k) {
      case 'ident':
        return this.ident(e);
      case 'lit':
        return this.literal(e.value);
      case 'paren':
        return this.expr(e.x);
      case 'list':
        return `new $.List([${e.elems.map((x) => this.expr(x)).join(', ')}])`;
      case 'tuple':
        return `$.tuple([${e.elems.map((x) => this.expr(x)).join(', ')}])`;
      case 'dict': {
        if (e.entries.length === 0) return 'new $.Dict()';
        const d = this.temp();
        const kt = this.temp();
        const vt = this.temp();
        const parts = e.entries.map(
          (en) =>
            `${kt} = ${this.expr(en.key)}, ${vt} = ${this.expr(en.value)}, $p = ${this.pos(en.pos)}, $.dictPut(${d}, ${kt}, ${vt})`,
        );
        return `(${d} = new $.Dict(), ${parts.join(', ')}, ${d})`;
      }
      case 'comp':
        return this.comprehension(e);
      case 'cond':
        return `($.truth(${this.expr(e.cond)}) ? ${this.expr(e.t)} : ${this.expr(e.f)})`;
      case 'unary': {
        const x = this.expr(e.x);
        if (e.op === 'not') return `!$.truth(${x})`;
        const t = this.temp();
        const k = this.pos(e.pos);
        if (e.op === '-') {
          return `(${t} = ${x}, typeof ${t} === 'number' && ${t} !== 0 ? -${t} : ($p = ${k}, $.unary('-', ${t})))`;
        }
        return `(${t} = ${x}, $p = ${k}, $.unary(${JSON.stringify(e.op)}, ${t}))`;
      }
      case 'binary':
        return this.binary(e);
      case 'dot': {
        const t = this.temp();
        return `(${t} = ${this.expr(e.x)}, $p = ${this.pos(e.pos)}, $.getAttr(${t}, ${JSON.stringify(e.name)}))`;
      }
      case 'index': {
        const x = this.temp();
        const y = this.temp();
        const r = this.temp();
        return (
          `(${x} = ${this.expr(e.x)}, ${y} = ${this.expr(e.y)}, ` +
          `${x} instanceof $.List && typeof ${y} === 'number' && ${y} >= 0 && ${y} < ${x}.elems.length ? ${x}.elems[${y}] : ` +
          `${x} instanceof $.Dict && typeof ${y} === 'string' && (${r} = ${x}.map.get(${y})) !== undefined ? ${r} : ` +
          `($p = ${this.pos(e.pos)}, $.getIndex(${x}, ${y})))`
        );
      }
      case 'slice': {
        const ts = [this.temp(), this.temp(), this.temp(), this.temp()];
        const parts = [e.x, e.lo, e.hi, e.step].map(
          (x, i) => `${ts[i]} = ${x ? this.expr(x) : 'undefined'}`,
        );
        return `(${parts.join(', ')}, $p = ${this.pos(e.pos)}, $.slice(${ts.join(', ')}))`;
      }
      case 'call':
        return this.call(e);
      case 'lambda':
        return this.makeFunction(e.fn!, { expr: e.body });
    }
  }

  private literal(v: Value): string {
    if (typeof v === 'number') return String(v);
    if (typeof v === 'string') return JSON.stringify(v);
    if (v instanceof Float && Number.isFinite(v.v)) return this.konst(v);
    return this.konst(v);
  }

  private ident(id: Ident): string {
    const b = id.binding!;
    const name = JSON.stringify(id.name);
    const i = b.index;
    const unbound = (kind: 'Local' | 'Global') =>
      `($p = ${this.pos(id.pos)}, $.unbound${kind}(${name}))`;
    switch (b.scope) {
      case 'local':
        // Parameters are always bound.
        if (i < this.nparamSlots && !this.compSlots.has(i)) return `x${i}`;
        return `(x${i} ?? ${unbound('Local')})`;
      case 'cell':
        return `(x${i}.v ?? ${unbound('Local')})`;
      case 'free':
        return `(F[${i}].v ?? ${unbound('Local')})`;
      case 'global':
        return `(G[${i}] ?? ${unbound('Global')})`;
      case 'predeclared': {
        const v = this.ctx.predeclared.get(id.name);
        if (v === undefined) throw new Error(`internal error: predeclared ${id.name} missing`);
        return this.konst(v);
      }
      case 'universal': {
        const v = this.ctx.universe.get(id.name);
        if (v === undefined) throw new Error(`internal error: universal ${id.name} missing`);
        return this.konst(v);
      }
      case 'undefined':
        return `($p = ${this.pos(id.pos)}, $.unboundGlobal(${name}))`;
    }
  }

  private binary(e: Extract<Expr, { k: 'binary' }>): string {
    const op = e.op;
    const x = this.expr(e.x);
    const y = this.expr(e.y);
    const a = this.temp();
    if (op === 'and') return `(${a} = ${x}, $.truth(${a}) ? ${y} : ${a})`;
    if (op === 'or') return `(${a} = ${x}, $.truth(${a}) ? ${a} : ${y})`;
    const b = this.temp();
    const k = this.pos(e.pos);
    const both = `typeof ${a} === 'number' && typeof ${b} === 'number'`;
    const slow = `($p = ${k}, $.binary(${JSON.stringify(op)}, ${a}, ${b}))`;
    const head = `${a} = ${x}, ${b} = ${y}`;
    switch (op) {
      case '+':
      case '-': {
        // A literal operand tells which fast path can apply.
        const lit = (x: Expr) => (x.k === 'lit' ? typeof x.value : undefined);
        const r = this.temp();
        const strings = `typeof ${a} === 'string' && typeof ${b} === 'string' ? ${a} + ${b}`;
        if (op === '+' && (lit(e.x) === 'string' || lit(e.y) === 'string')) {
          return `(${head}, ${strings} : ${slow})`;
        }
        const ints = `${both} && (${r} = ${a} ${op} ${b}) <= ${MAX_SAFE} && ${r} >= -${MAX_SAFE} ? ${r}`;
        if (op === '-' || lit(e.x) === 'number' || lit(e.y) === 'number') {
          return `(${head}, ${ints} : ${slow})`;
        }
        return `(${head}, ${ints} : ${strings} : ${slow})`;
      }
      case '<':
      case '<=':
      case '>':
      case '>=':
        return `(${head}, ${both} ? ${a} ${op} ${b} : ($p = ${k}, $.compare(${JSON.stringify(op)}, ${a}, ${b})))`;
      case '==':
        return `(${head}, typeof ${a} !== 'object' && typeof ${a} === typeof ${b} ? ${a} === ${b} : ($p = ${k}, $.equals(${a}, ${b})))`;
      case '!=':
        return `(${head}, typeof ${a} !== 'object' && typeof ${a} === typeof ${b} ? ${a} !== ${b} : ($p = ${k}, !$.equals(${a}, ${b})))`;
      default:
        return `(${head}, ${slow})`;
    }
  }

  private call(e: Extract<Expr, { k: 'call' }>): string {
    const k = this.pos(e.pos);
    const site = this.konst({ name: this.info.name, pos: this.ctx.positions[k] });
    const f = this.temp();
    const simple = e.args.every((a) => a.k === 'positional');
    let fn: string;
    if (simple && e.fn.k === 'dot') {
      // x.name(...): bound methods of built-in types are reused while the receiver stays the same.
      const x = this.temp();
      const cache: MethodCache = { recv: undefined, method: undefined };
      fn = `${x} = ${this.expr(e.fn.x)}, $p = ${this.pos(e.fn.pos)}, ${f} = $.getMethod(${x}, ${JSON.stringify(e.fn.name)}, ${this.konst(cache)})`;
    } else fn = `${f} = ${this.expr(e.fn)}`;
    if (simple) {
      const args = e.args.map((a) => this.expr((a as { x: Expr }).x));
      const av = this.temp();
      return `(${fn}, ${av} = [${args.join(', ')}], $p = ${k}, $.callPositional(th, ${f}, ${av}, ${site}))`;
    }
    const av = this.temp();
    const kw = this.temp();
    const parts = e.args.map((a: Arg) => {
      const v = this.expr(a.x);
      switch (a.k) {
        case 'positional':
          return `${av}.push(${v})`;
        case 'named':
          return `${kw}.push([${JSON.stringify(a.name)}, ${v}])`;
        case 'star': {
          const t = this.temp();
          return `${t} = ${v}, $p = ${k}, $.addStar(${av}, ${t})`;
        }
        case 'starstar': {
          const t = this.temp();
          return `${t} = ${v}, $p = ${k}, $.addStarStar(${kw}, ${t})`;
        }
      }
    });
    return `(${fn}, ${av} = [], ${kw} = [], ${parts.join(', ')}, $p = ${k}, $.callGeneral(th, ${f}, ${av}, ${kw}, ${site}))`;
  }

  /**
   * A comprehension is an arrow function called at once. Its loop variables
   * are declared inside it; it has its own `$p` and attaches its position to
   * errors for the enclosing activation.
   */
  private comprehension(e: Comprehension): string {
    const savedLines = this.lines;
    const savedIndent = this.indent;
    this.lines = [];
    this.indent = 4;
    this.scopes.push({ temps: 0, declared: new Set() });
    const acc = this.temp();
    this.emit(`${acc} = ${e.curly ? 'new $.Dict()' : 'new $.List([])'};`);
    const slots = new Set<number>();
    for (const c of e.clauses) {
      if (c.k === 'for') for (const id of targetIdents(c.vars)) slots.add(id.binding!.index);
    }
    this.clauses(e, 0, acc);
    this.emit(`return ${acc};`);
    const scope = this.scopes.pop()!;
    const inner = this.lines;
    this.lines = savedLines;
    this.indent = savedIndent;

    const decls: string[] = [];
    for (const i of slots) {
      const b = this.info.locals[i];
      decls.push(b.scope === 'cell' ? `const x${i} = new $.Cell(undefined);` : `let x${i};`);
    }
    for (let i = 0; i < scope.temps; i++) decls.push(`let $t${i};`);
    const act = this.activation();
    const name = JSON.stringify(this.info.name);
    return [
      `((${act}) => {`,
      `  ${decls.join(' ')} let $p = 0;`,
      '  try {',
      ...inner,
      '  } catch (e) {',
      `    throw $.locate(e, ${act}, ${name}, P[$p]);`,
      '  }',
      `})(${act})`,
    ].join('\n');
  }

  private clauses(e: Comprehension, i: number, acc: string) {
    if (i === e.clauses.length) {
      if (e.body.k === 'entry') {
        const kt = this.temp();
        const vt = this.temp();
        this.emit(`${kt} = ${this.expr(e.body.key)}; ${vt} = ${this.expr(e.body.value)};`);
        this.emit(`$p = ${this.pos(e.body.pos)}; ${acc}.set(${kt}, ${vt});`);
      } else this.emit(`${acc}.elems.push(${this.expr(e.body)});`);
      return;
    }
    const c = e.clauses[i];
    if (c.k === 'if') {
      this.emit(`if ($.truth(${this.expr(c.cond)})) {`);
      this.indent += 2;
      this.clauses(e, i + 1, acc);
      this.indent -= 2;
      this.emit('}');
      return;
    }
    const seq = this.temp();
    this.emit(`${seq} = ${this.expr(c.x)};`);
    this.iterationLoop(seq, this.pos(c.pos), c.vars, () => this.clauses(e, i + 1, acc));
  }
}

/** A JavaScript identifier for stack traces of the generated function. */
function jsName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `star_${name}` : 'star_fn';
}

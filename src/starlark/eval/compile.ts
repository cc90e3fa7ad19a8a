// Compiles a resolved syntax tree into JavaScript closures. Each expression
// becomes `(fr: Frame) => Value`; each statement `(fr: Frame) => Signal`.
// Hot paths (small-int arithmetic, comparisons, locals, range loops) are
// handled inline; everything else goes through values/ops.

import { EvalError, type Position } from '../errors.js';
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
import { equals, compare } from '../values/compare.js';
import {
  binary,
  elementsOf,
  getAttr,
  getIndex,
  iterate,
  setAttr,
  setIndex,
  slice,
  unary,
  type BinOp,
} from '../values/ops.js';
import { nearest } from '../values/spell.js';
import {
  Builtin,
  Dict,
  List,
  None,
  Range,
  Tuple,
  makeTuple,
  repr,
  truth,
  typeOf,
  type Kwargs,
  type Value,
} from '../values/value.js';
import {
  Cell,
  Frame,
  StarFunction,
  callFunction,
  type Code,
  type ModuleState,
} from './function.js';
import { call, callBuiltin, toEvalError } from './thread.js';

type ExprFn = (fr: Frame) => Value;
/** Statement result: how control leaves the statement. */
type Signal = 0 | 1 | 2 | 3;
const NORMAL = 0;
const BREAK = 1;
const CONTINUE = 2;
const RETURN = 3;
type StmtFn = (fr: Frame) => Signal;
type AssignFn = (fr: Frame, v: Value) => void;

/** Attaches the current frame's position to an error passing through it. */
function locate(e: unknown, fr: Frame, pos: Position): EvalError {
  const err = toEvalError(e);
  if (err.lastActivation !== fr) {
    err.frames.push({ name: fr.fn.code.info.name, pos });
    err.lastActivation = fr;
  }
  return err;
}

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
  const c = new Compiler(module, predeclared, universe);
  const code = c.functionCode(file.toplevel!, () => c.block(file.stmts), true);
  return { module, toplevel: new StarFunction(code, [], []) };
}

class Compiler {
  constructor(
    readonly module: ModuleState,
    readonly predeclared: Map<string, Value>,
    readonly universe: Map<string, Value>,
  ) {}

  private pos(p: Pos): Position {
    return { file: this.module.file, line: p.line, col: p.col };
  }

  functionCode(info: FunctionInfo, body: () => StmtFn, _toplevel = false): Code {
    const run = body();
    const cellSlots: number[] = [];
    info.locals.forEach((b, i) => {
      if (b.scope === 'cell') cellSlots.push(i);
    });
    const paramNames = info.locals.slice(0, info.numParams).map((b) => b.name);
    return {
      info,
      module: this.module,
      nlocals: info.locals.length,
      cellSlots,
      paramNames,
      active: 0,
      run: (fr) => {
        const r = run(fr);
        return r === RETURN ? fr.ret! : None;
      },
    };
  }

  // ---- statements ----

  block(stmts: Stmt[]): StmtFn {
    const fns = stmts.map((s) => this.stmt(s));
    switch (fns.length) {
      case 0:
        return () => NORMAL;
      case 1:
        return fns[0];
      case 2: {
        const [a, b] = fns;
        return (fr) => a(fr) || b(fr);
      }
      case 3: {
        const [a, b, c] = fns;
        return (fr) => a(fr) || b(fr) || c(fr);
      }
      default:
        return (fr) => {
          for (let i = 0; i < fns.length; i++) {
            const r = fns[i](fr);
            if (r !== NORMAL) return r;
          }
          return NORMAL;
        };
    }
  }

  private stmt(s: Stmt): StmtFn {
    switch (s.k) {
      case 'expr': {
        const x = this.expr(s.x);
        return (fr) => {
          x(fr);
          return NORMAL;
        };
      }
      case 'assign':
        return s.op === '='
          ? this.assignStmt(s.lhs, s.rhs)
          : this.augmentedAssign(s.op, s.lhs, s.rhs, s.pos);
      case 'branch':
        return s.tok === 'break'
          ? () => BREAK
          : s.tok === 'continue'
            ? () => CONTINUE
            : () => NORMAL;
      case 'return': {
        const x = s.x ? this.expr(s.x) : undefined;
        if (!x) {
          return (fr) => {
            fr.ret = None;
            return RETURN;
          };
        }
        return (fr) => {
          fr.ret = x(fr);
          return RETURN;
        };
      }
      case 'if': {
        const cond = this.expr(s.cond);
        const t = this.block(s.t);
        const f = this.block(s.f);
        return (fr) => (truth(cond(fr)) ? t(fr) : f(fr));
      }
      case 'while': {
        const cond = this.expr(s.cond);
        const body = this.block(s.body);
        return (fr) => {
          const th = fr.thread;
          while (truth(cond(fr))) {
            if (++th.steps >= th.stepLimit) th.checkSteps();
            const r = body(fr);
            if (r === BREAK) break;
            if (r === RETURN) return RETURN;
          }
          return NORMAL;
        };
      }
      case 'for':
        return this.forStmt(s.vars, s.x, this.block(s.body), s.pos);
      case 'def': {
        const make = this.makeFunction(s.fn!, () => this.block(s.body));
        const assign = this.assignTo(s.name);
        return (fr) => {
          assign(fr, make(fr));
          return NORMAL;
        };
      }
      case 'load':
        return this.loadStmt(s);
    }
  }

  private loadStmt(s: Extract<Stmt, { k: 'load' }>): StmtFn {
    const pos = this.pos(s.pos);
    const assigns = s.to.map((id) => this.assignTo(id));
    const from = s.from.map((id) => id.name);
    const module = s.module;
    return (fr) => {
      try {
        let dict: Map<string, Value>;
        try {
          dict = fr.thread.load(module);
        } catch (e) {
          const err = toEvalError(e);
          if (err.frames.length > 0) throw err;
          throw new EvalError(`cannot load ${module}: ${err.msg}`);
        }
        for (let i = 0; i < from.length; i++) {
          const v = dict.get(from[i]);
          if (v === undefined) {
            let msg = `load: name ${from[i]} not found in module ${module}`;
            const n = nearest(from[i], dict.keys());
            if (n) msg += ` (did you mean ${n}?)`;
            throw new EvalError(msg);
          }
          assigns[i](fr, v);
        }
      } catch (e) {
        throw locate(e, fr, pos);
      }
      return NORMAL;
    };
  }

  private forStmt(vars: Expr, x: Expr, body: StmtFn, p: Pos): StmtFn {
    const seq = this.expr(x);
    const pos = this.pos(p);
    if (vars.k === 'ident' && vars.binding!.scope === 'local') {
      const slot = vars.binding!.index;
      const generic = this.forStmtGeneric(vars, body, pos);
      return (fr) => {
        const it = seq(fr);
        if (!(it instanceof Range)) return generic(fr, it);
        const th = fr.thread;
        const locals = fr.locals;
        const { start, step, len } = it;
        for (let i = 0; i < len; i++) {
          if (++th.steps >= th.stepLimit) th.checkSteps();
          locals[slot] = start + i * step;
          const r = body(fr);
          if (r === BREAK) break;
          if (r === RETURN) return RETURN;
        }
        return NORMAL;
      };
    }
    const generic = this.forStmtGeneric(vars, body, pos);
    return (fr) => generic(fr, seq(fr));
  }

  private forStmtGeneric(
    vars: Expr,
    body: StmtFn,
    pos: Position,
  ): (fr: Frame, it: Value) => Signal {
    const assign = this.assignTarget(vars);
    return (fr, it) => {
      const th = fr.thread;
      if (it instanceof Range) {
        const { start, step, len } = it;
        for (let i = 0; i < len; i++) {
          if (++th.steps >= th.stepLimit) th.checkSteps();
          assign(fr, start + i * step);
          const r = body(fr);
          if (r === BREAK) break;
          if (r === RETURN) return RETURN;
        }
        return NORMAL;
      }
      if (it instanceof List) {
        it.itercount++;
        try {
          const e = it.elems;
          for (let i = 0; i < e.length; i++) {
            if (++th.steps >= th.stepLimit) th.checkSteps();
            assign(fr, e[i]);
            const r = body(fr);
            if (r === BREAK) break;
            if (r === RETURN) return RETURN;
          }
        } finally {
          it.itercount--;
        }
        return NORMAL;
      }
      const iter = iterate(it);
      if (!iter) throw locate(new EvalError(`${typeOf(it)} value is not iterable`), fr, pos);
      try {
        for (let v = iter.next(); v !== undefined; v = iter.next()) {
          if (++th.steps >= th.stepLimit) th.checkSteps();
          assign(fr, v);
          const r = body(fr);
          if (r === BREAK) break;
          if (r === RETURN) return RETURN;
        }
      } finally {
        iter.done();
      }
      return NORMAL;
    };
  }

  // ---- assignment ----

  private assignStmt(lhs: Expr, rhs: Expr): StmtFn {
    const x = this.expr(rhs);
    if (lhs.k === 'ident') {
      const b = lhs.binding!;
      const i = b.index;
      if (b.scope === 'local') {
        return (fr) => {
          fr.locals[i] = x(fr);
          return NORMAL;
        };
      }
      if (b.scope === 'global') {
        const g = this.module.globals;
        return (fr) => {
          g[i] = x(fr);
          return NORMAL;
        };
      }
    }
    const assign = this.assignTarget(lhs);
    return (fr) => {
      assign(fr, x(fr));
      return NORMAL;
    };
  }

  /** Assignment to an identifier. */
  private assignTo(id: Ident): AssignFn {
    const b = id.binding!;
    const i = b.index;
    switch (b.scope) {
      case 'local':
        return (fr, v) => {
          fr.locals[i] = v;
        };
      case 'cell':
        return (fr, v) => {
          (fr.locals[i] as Cell).v = v;
        };
      case 'global': {
        const g = this.module.globals;
        return (_fr, v) => {
          g[i] = v;
        };
      }
      default:
        throw new Error(`internal error: assignment to ${b.scope} ${b.name}`);
    }
  }

  /** Assignment to any valid target: identifier, x[i], x.f, or a (nested) tuple/list of them. */
  private assignTarget(lhs: Expr): AssignFn {
    switch (lhs.k) {
      case 'ident':
        return this.assignTo(lhs);
      case 'paren':
        return this.assignTarget(lhs.x);
      case 'index': {
        const x = this.expr(lhs.x);
        const y = this.expr(lhs.y);
        const pos = this.pos(lhs.pos);
        return (fr, v) => {
          const xv = x(fr);
          const yv = y(fr);
          try {
            setIndex(xv, yv, v);
          } catch (e) {
            throw locate(e, fr, pos);
          }
        };
      }
      case 'dot': {
        const x = this.expr(lhs.x);
        const name = lhs.name;
        const pos = this.pos(lhs.pos);
        return (fr, v) => {
          const xv = x(fr);
          try {
            setAttr(xv, name, v);
          } catch (e) {
            throw locate(e, fr, pos);
          }
        };
      }
      case 'tuple':
      case 'list': {
        const targets = lhs.elems.map((e) => this.assignTarget(e));
        const n = targets.length;
        const pos = this.pos(lhs.pos);
        return (fr, v) => {
          let elems: Value[] | undefined;
          if (v instanceof Tuple || v instanceof List) elems = v.elems;
          else if (typeof v !== 'string') {
            try {
              elems = elementsOf(v);
            } catch (e) {
              throw locate(e, fr, pos);
            }
          }
          if (!elems)
            throw locate(new EvalError(`got ${typeOf(v)} in sequence assignment`), fr, pos);
          if (elems.length !== n) {
            const which = elems.length > n ? 'too many' : 'too few';
            throw locate(
              new EvalError(`${which} values to unpack (got ${elems.length}, want ${n})`),
              fr,
              pos,
            );
          }
          if (v instanceof List) elems = elems.slice();
          for (let i = 0; i < n; i++) targets[i](fr, elems[i]);
        };
      }
      default:
        throw new Error(`internal error: cannot assign to ${lhs.k}`);
    }
  }

  private augmentedAssign(op: AssignOp, lhs: Expr, rhs: Expr, p: Pos): StmtFn {
    const bop = op.slice(0, -1) as BinOp;
    const y = this.expr(rhs);
    const pos = this.pos(p);
    const apply = (fr: Frame, x: Value, yv: Value): Value => {
      if (bop === '|' && x instanceof Dict && yv instanceof Dict) {
        try {
          for (const e of [...yv.entries()]) x.set(e.k, e.v);
        } catch (e) {
          throw locate(e, fr, pos);
        }
        return x;
      }
      if (bop === '+') {
        if (typeof x === 'number' && typeof yv === 'number') {
          const r = x + yv;
          if (Number.isSafeInteger(r)) return r;
        }
        if (x instanceof List) {
          const elems = yv instanceof List || yv instanceof Tuple ? yv.elems.slice() : undefined;
          try {
            const items = elems ?? (typeof yv === 'object' ? elementsOf(yv) : undefined);
            if (items) {
              x.checkMutable('apply += to');
              for (const v of items) x.elems.push(v);
              return x;
            }
          } catch (e) {
            throw locate(e, fr, pos);
          }
        }
      }
      try {
        return binary(bop, x, yv);
      } catch (e) {
        throw locate(e, fr, pos);
      }
    };
    switch (lhs.k) {
      case 'ident': {
        const read = this.expr(lhs);
        const write = this.assignTo(lhs);
        return (fr) => {
          write(fr, apply(fr, read(fr), y(fr)));
          return NORMAL;
        };
      }
      case 'paren':
        return this.augmentedAssign(op, lhs.x, rhs, p);
      case 'index': {
        const x = this.expr(lhs.x);
        const i = this.expr(lhs.y);
        const ipos = this.pos(lhs.pos);
        return (fr) => {
          const xv = x(fr);
          const iv = i(fr);
          let old: Value;
          try {
            old = getIndex(xv, iv);
          } catch (e) {
            throw locate(e, fr, ipos);
          }
          const nv = apply(fr, old, y(fr));
          try {
            setIndex(xv, iv, nv);
          } catch (e) {
            throw locate(e, fr, ipos);
          }
          return NORMAL;
        };
      }
      case 'dot': {
        const x = this.expr(lhs.x);
        const name = lhs.name;
        const dpos = this.pos(lhs.pos);
        return (fr) => {
          const xv = x(fr);
          let old: Value;
          try {
            old = getAttr(xv, name);
          } catch (e) {
            throw locate(e, fr, dpos);
          }
          const nv = apply(fr, old, y(fr));
          try {
            setAttr(xv, name, nv);
          } catch (e) {
            throw locate(e, fr, dpos);
          }
          return NORMAL;
        };
      }
      default:
        throw new Error(`internal error: augmented assignment to ${lhs.k}`);
    }
  }

  // ---- functions ----

  /** Returns a closure that creates the function value (evaluating defaults, capturing cells). */
  private makeFunction(info: FunctionInfo, body: () => StmtFn): (fr: Frame) => StarFunction {
    const code = this.functionCode(info, body);
    const dflts: (ExprFn | undefined)[] = [];
    for (const p of info.params) {
      if (p.kind === 'plain') dflts.push(undefined);
      else if (p.kind === 'default') dflts.push(this.expr(p.dflt!));
    }
    const free = info.freevars.map((b) => this.cellRef(b));
    return (fr) => {
      const defaults = dflts.map((d) => (d ? d(fr) : undefined));
      const cells = free.map((f) => f(fr));
      return new StarFunction(code, defaults, cells);
    };
  }

  /** How to fetch the cell for a captured binding of the enclosing function. */
  private cellRef(b: Binding): (fr: Frame) => Cell {
    const i = b.index;
    if (b.scope === 'cell') return (fr) => fr.locals[i] as Cell;
    if (b.scope === 'free') return (fr) => fr.fn.freevars[i];
    throw new Error(`internal error: capture of ${b.scope} ${b.name}`);
  }

  // ---- expressions ----

  expr(e: Expr): ExprFn {
    switch (e.k) {
      case 'ident':
        return this.ident(e);
      case 'lit': {
        const v = e.value;
        return () => v;
      }
      case 'paren':
        return this.expr(e.x);
      case 'list': {
        const elems = e.elems.map((x) => this.expr(x));
        return (fr) => {
          const out = new Array<Value>(elems.length);
          for (let i = 0; i < elems.length; i++) out[i] = elems[i](fr);
          return new List(out);
        };
      }
      case 'tuple': {
        const elems = e.elems.map((x) => this.expr(x));
        return (fr) => {
          const out = new Array<Value>(elems.length);
          for (let i = 0; i < elems.length; i++) out[i] = elems[i](fr);
          return makeTuple(out);
        };
      }
      case 'dict': {
        const entries = e.entries.map((en) => ({
          k: this.expr(en.key),
          v: this.expr(en.value),
          pos: this.pos(en.pos),
        }));
        return (fr) => {
          const d = new Dict();
          for (const en of entries) {
            const k = en.k(fr);
            const v = en.v(fr);
            try {
              if (d.has(k)) throw new EvalError(`duplicate key: ${repr(k)}`);
              d.setUnchecked(k, v);
            } catch (err) {
              throw locate(err, fr, en.pos);
            }
          }
          return d;
        };
      }
      case 'comp':
        return this.comprehension(e);
      case 'cond': {
        const c = this.expr(e.cond);
        const t = this.expr(e.t);
        const f = this.expr(e.f);
        return (fr) => (truth(c(fr)) ? t(fr) : f(fr));
      }
      case 'unary':
        return this.unaryExpr(e);
      case 'binary':
        return this.binaryExpr(e);
      case 'dot': {
        const x = this.expr(e.x);
        const name = e.name;
        const pos = this.pos(e.pos);
        return (fr) => {
          const xv = x(fr);
          try {
            return getAttr(xv, name);
          } catch (err) {
            throw locate(err, fr, pos);
          }
        };
      }
      case 'index': {
        const x = this.expr(e.x);
        const y = this.expr(e.y);
        const pos = this.pos(e.pos);
        return (fr) => {
          const xv = x(fr);
          const yv = y(fr);
          if (xv instanceof List && typeof yv === 'number' && yv >= 0 && yv < xv.elems.length)
            return xv.elems[yv];
          try {
            return getIndex(xv, yv);
          } catch (err) {
            throw locate(err, fr, pos);
          }
        };
      }
      case 'slice': {
        const x = this.expr(e.x);
        const lo = e.lo ? this.expr(e.lo) : undefined;
        const hi = e.hi ? this.expr(e.hi) : undefined;
        const step = e.step ? this.expr(e.step) : undefined;
        const pos = this.pos(e.pos);
        return (fr) => {
          const xv = x(fr);
          const l = lo?.(fr);
          const h = hi?.(fr);
          const s = step?.(fr);
          try {
            return slice(xv, l, h, s);
          } catch (err) {
            throw locate(err, fr, pos);
          }
        };
      }
      case 'call':
        return this.callExpr(e);
      case 'lambda': {
        const body = e.body;
        const make = this.makeFunction(e.fn!, () => {
          const x = this.expr(body);
          return (fr) => {
            fr.ret = x(fr);
            return RETURN;
          };
        });
        return make;
      }
    }
  }

  private ident(id: Ident): ExprFn {
    const b = id.binding!;
    const i = b.index;
    const name = id.name;
    const pos = this.pos(id.pos);
    switch (b.scope) {
      case 'local':
        return (fr) => {
          const v = fr.locals[i] as Value | undefined;
          if (v === undefined) {
            throw locate(
              new EvalError(`local variable ${name} referenced before assignment`),
              fr,
              pos,
            );
          }
          return v;
        };
      case 'cell':
        return (fr) => {
          const v = (fr.locals[i] as Cell).v;
          if (v === undefined) {
            throw locate(
              new EvalError(`local variable ${name} referenced before assignment`),
              fr,
              pos,
            );
          }
          return v;
        };
      case 'free':
        return (fr) => {
          const v = fr.fn.freevars[i].v;
          if (v === undefined) {
            throw locate(
              new EvalError(`local variable ${name} referenced before assignment`),
              fr,
              pos,
            );
          }
          return v;
        };
      case 'global': {
        const g = this.module.globals;
        return (fr) => {
          const v = g[i];
          if (v === undefined) {
            throw locate(
              new EvalError(`global variable ${name} referenced before assignment`),
              fr,
              pos,
            );
          }
          return v;
        };
      }
      case 'predeclared': {
        const v = this.predeclared.get(name);
        if (v === undefined) throw new Error(`internal error: predeclared ${name} missing`);
        return () => v;
      }
      case 'universal': {
        const v = this.universe.get(name);
        if (v === undefined) throw new Error(`internal error: universal ${name} missing`);
        return () => v;
      }
      case 'undefined':
        return (fr) => {
          throw locate(new EvalError(`undefined: ${name}`), fr, pos);
        };
    }
  }

  private unaryExpr(e: Extract<Expr, { k: 'unary' }>): ExprFn {
    const x = this.expr(e.x);
    const pos = this.pos(e.pos);
    const op = e.op;
    if (op === 'not') return (fr) => !truth(x(fr));
    if (op === '-') {
      return (fr) => {
        const v = x(fr);
        if (typeof v === 'number' && v !== 0) return -v;
        try {
          return unary('-', v);
        } catch (err) {
          throw locate(err, fr, pos);
        }
      };
    }
    return (fr) => {
      const v = x(fr);
      try {
        return unary(op, v);
      } catch (err) {
        throw locate(err, fr, pos);
      }
    };
  }

  private binaryExpr(e: Extract<Expr, { k: 'binary' }>): ExprFn {
    const x = this.expr(e.x);
    const y = this.expr(e.y);
    const pos = this.pos(e.pos);
    const op = e.op;
    const slow = (fr: Frame, a: Value, b: Value): Value => {
      try {
        return binary(op as BinOp, a, b);
      } catch (err) {
        throw locate(err, fr, pos);
      }
    };
    switch (op) {
      case 'and':
        return (fr) => {
          const a = x(fr);
          return truth(a) ? y(fr) : a;
        };
      case 'or':
        return (fr) => {
          const a = x(fr);
          return truth(a) ? a : y(fr);
        };
      case '+':
        return (fr) => {
          const a = x(fr);
          const b = y(fr);
          if (typeof a === 'number' && typeof b === 'number') {
            const r = a + b;
            if (Number.isSafeInteger(r)) return r;
          } else if (typeof a === 'string' && typeof b === 'string') return a + b;
          return slow(fr, a, b);
        };
      case '-':
        return (fr) => {
          const a = x(fr);
          const b = y(fr);
          if (typeof a === 'number' && typeof b === 'number') {
            const r = a - b;
            if (Number.isSafeInteger(r)) return r;
          }
          return slow(fr, a, b);
        };
      case '*':
        return (fr) => {
          const a = x(fr);
          const b = y(fr);
          if (typeof a === 'number' && typeof b === 'number') {
            const r = a * b;
            if (Number.isSafeInteger(r) && r !== 0) return r;
          }
          return slow(fr, a, b);
        };
      case '==':
        return (fr) => {
          const a = x(fr);
          const b = y(fr);
          if (typeof a !== 'object' && typeof a === typeof b) return a === b;
          try {
            return equals(a, b);
          } catch (err) {
            throw locate(err, fr, pos);
          }
        };
      case '!=':
        return (fr) => {
          const a = x(fr);
          const b = y(fr);
          if (typeof a !== 'object' && typeof a === typeof b) return a !== b;
          try {
            return !equals(a, b);
          } catch (err) {
            throw locate(err, fr, pos);
          }
        };
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const cmpop = op;
        return (fr) => {
          const a = x(fr);
          const b = y(fr);
          if (typeof a === 'number' && typeof b === 'number') {
            switch (cmpop) {
              case '<':
                return a < b;
              case '<=':
                return a <= b;
              case '>':
                return a > b;
              case '>=':
                return a >= b;
            }
          }
          try {
            return compare(cmpop, a, b);
          } catch (err) {
            throw locate(err, fr, pos);
          }
        };
      }
      default:
        return (fr) => slow(fr, x(fr), y(fr));
    }
  }

  private callExpr(e: Extract<Expr, { k: 'call' }>): ExprFn {
    const pos = this.pos(e.pos);
    const simple = e.args.every((a) => a.k === 'positional');
    if (simple && e.fn.k === 'dot') return this.methodCall(e.fn, e.args, pos);
    const fn = this.expr(e.fn);
    if (simple) {
      const args = e.args.map((a) => this.expr((a as { x: Expr }).x));
      const n = args.length;
      const noKwargs: Kwargs = [];
      return (fr) => {
        const f = fn(fr);
        const argv = new Array<Value>(n);
        for (let i = 0; i < n; i++) argv[i] = args[i](fr);
        try {
          if (f instanceof StarFunction) return callFunction(fr.thread, f, argv, noKwargs);
          if (f instanceof Builtin) return callBuiltin(fr.thread, f, argv, noKwargs);
          return call(fr.thread, f, argv, noKwargs);
        } catch (err) {
          throw locate(err, fr, pos);
        }
      };
    }
    const build = this.argsBuilder(e.args);
    return (fr) => {
      const f = fn(fr);
      const [argv, kwargs] = build(fr, pos);
      try {
        return call(fr.thread, f, argv, kwargs);
      } catch (err) {
        throw locate(err, fr, pos);
      }
    };
  }

  /**
   * `x.name(args)` with positional arguments. Methods of built-in types are
   * looked up directly, and the bound method is reused while the receiver
   * stays the same (as in `out.append(...)` inside a loop).
   */
  private methodCall(dot: Extract<Expr, { k: 'dot' }>, argExprs: Arg[], pos: Position): ExprFn {
    const x = this.expr(dot.x);
    const name = dot.name;
    const dpos = this.pos(dot.pos);
    const args = argExprs.map((a) => this.expr((a as { x: Expr }).x));
    const n = args.length;
    const noKwargs: Kwargs = [];
    let lastRecv: Value | undefined;
    let lastMethod: Builtin | undefined;
    return (fr) => {
      const recv = x(fr);
      let f: Value;
      if (recv === lastRecv && lastMethod !== undefined) f = lastMethod;
      else {
        try {
          f = getAttr(recv, name);
        } catch (err) {
          throw locate(err, fr, dpos);
        }
        if (f instanceof Builtin && f.recv === recv) {
          lastRecv = recv;
          lastMethod = f;
        }
      }
      const argv = new Array<Value>(n);
      for (let i = 0; i < n; i++) argv[i] = args[i](fr);
      try {
        if (f instanceof Builtin) return callBuiltin(fr.thread, f, argv, noKwargs);
        return call(fr.thread, f, argv, noKwargs);
      } catch (err) {
        throw locate(err, fr, pos);
      }
    };
  }

  private argsBuilder(args: Arg[]): (fr: Frame, pos: Position) => [Value[], Kwargs] {
    const parts = args.map((a) => ({
      k: a.k,
      name: a.k === 'named' ? a.name : '',
      x: this.expr(a.x),
    }));
    return (fr, pos) => {
      const argv: Value[] = [];
      const kwargs: Kwargs = [];
      for (const p of parts) {
        const v = p.x(fr);
        switch (p.k) {
          case 'positional':
            argv.push(v);
            break;
          case 'named':
            kwargs.push([p.name, v]);
            break;
          case 'star': {
            let elems: Value[] | undefined;
            try {
              elems = typeof v === 'string' ? undefined : elementsOf(v);
            } catch (err) {
              throw locate(err, fr, pos);
            }
            if (!elems)
              throw locate(
                new EvalError(`argument after * must be iterable, not ${typeOf(v)}`),
                fr,
                pos,
              );
            for (const x of elems) argv.push(x);
            break;
          }
          case 'starstar': {
            if (!(v instanceof Dict)) {
              throw locate(
                new EvalError(`argument after ** must be a mapping, not ${typeOf(v)}`),
                fr,
                pos,
              );
            }
            for (const en of v.entries()) {
              if (typeof en.k !== 'string') {
                throw locate(
                  new EvalError(`keywords must be strings, not ${typeOf(en.k)}`),
                  fr,
                  pos,
                );
              }
              kwargs.push([en.k, en.v]);
            }
            break;
          }
        }
      }
      return [argv, kwargs];
    };
  }

  private comprehension(e: Comprehension): ExprFn {
    // The innermost action: append to the list or insert into the dict.
    let body: (fr: Frame, acc: List | Dict) => void;
    if (e.body.k === 'entry') {
      const k = this.expr(e.body.key);
      const v = this.expr(e.body.value);
      const pos = this.pos(e.body.pos);
      body = (fr, acc) => {
        const kv = k(fr);
        const vv = v(fr);
        try {
          (acc as Dict).set(kv, vv);
        } catch (err) {
          throw locate(err, fr, pos);
        }
      };
    } else {
      const x = this.expr(e.body);
      body = (fr, acc) => {
        (acc as List).elems.push(x(fr));
      };
    }
    // Wrap clauses from the innermost outwards.
    for (let ci = e.clauses.length - 1; ci >= 0; ci--) {
      const c = e.clauses[ci];
      const inner = body;
      if (c.k === 'if') {
        const cond = this.expr(c.cond);
        body = (fr, acc) => {
          if (truth(cond(fr))) inner(fr, acc);
        };
      } else {
        const seq = this.expr(c.x);
        const assign = this.assignTarget(c.vars);
        const pos = this.pos(c.pos);
        body = (fr, acc) => {
          const it = seq(fr);
          const th = fr.thread;
          if (it instanceof Range) {
            const { start, step, len } = it;
            for (let i = 0; i < len; i++) {
              if (++th.steps >= th.stepLimit) th.checkSteps();
              assign(fr, start + i * step);
              inner(fr, acc);
            }
            return;
          }
          const iter = iterate(it);
          if (!iter) throw locate(new EvalError(`${typeOf(it)} value is not iterable`), fr, pos);
          try {
            for (let v = iter.next(); v !== undefined; v = iter.next()) {
              if (++th.steps >= th.stepLimit) th.checkSteps();
              assign(fr, v);
              inner(fr, acc);
            }
          } finally {
            iter.done();
          }
        };
      }
    }
    const run = body;
    const curly = e.curly;
    return (fr) => {
      const acc = curly ? new Dict() : new List([]);
      run(fr, acc);
      return acc;
    };
  }
}

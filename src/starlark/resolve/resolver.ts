// Name resolution: binds every identifier to a local, cell, free, global,
// predeclared or universal slot, and reports static errors (all of them).
// Semantics follow go.starlark.net: a name bound anywhere in a function is
// local throughout it; comprehensions are nested lexical blocks whose
// variables live in the enclosing function's frame; uses are resolved when
// the enclosing function (locals) or the file (free and global) ends.

import { StarlarkSyntaxError, StarlarkSyntaxErrors } from '../errors.js';
import type { Binding, Expr, File, FunctionInfo, Ident, Param, Pos, Stmt } from '../syntax/ast.js';
import { forEachChild, startPos } from '../syntax/walk.js';
import { nearest } from '../values/spell.js';

export interface DialectOptions {
  set: boolean;
  while: boolean;
  toplevelcontrol: boolean;
  globalreassign: boolean;
  loadbindsglobally: boolean;
  recursion: boolean;
}

export const STANDARD_DIALECT: DialectOptions = {
  set: false,
  while: false,
  toplevelcontrol: false,
  globalreassign: false,
  loadbindsglobally: false,
  recursion: false,
};

/** The dialect Tiltfiles are run with. */
export const TILT_DIALECT: DialectOptions = {
  set: true,
  while: true,
  toplevelcontrol: true,
  globalreassign: true,
  loadbindsglobally: false,
  recursion: true,
};

interface Use {
  id: Ident;
  env: Block;
}

class Block {
  readonly bindings = new Map<string, Binding>();
  readonly children: Block[] = [];
  /** Uses recorded in this container (function or file), resolved later. */
  uses: Use[] = [];
  constructor(
    readonly parent: Block | undefined,
    /** Set for function blocks and the file block. */
    readonly fn: FunctionInfo | undefined,
    readonly isFile = false,
  ) {
    parent?.children.push(this);
  }
}

export function resolveFile(
  file: File,
  isPredeclared: (name: string) => boolean,
  isUniversal: (name: string) => boolean,
  options: DialectOptions,
): void {
  const r = new Resolver(file.path, isPredeclared, isUniversal, options);
  r.resolve(file);
}

class Resolver {
  private errors: StarlarkSyntaxError[] = [];
  private globals = new Map<string, Binding>();
  private globalList: string[] = [];
  private file!: Block;
  private env!: Block;
  private loops = 0;
  private ifstmts = 0;

  constructor(
    readonly path: string,
    readonly isPredeclared: (name: string) => boolean,
    readonly isUniversal: (name: string) => boolean,
    readonly opts: DialectOptions,
  ) {}

  private errorf(pos: Pos, msg: string) {
    this.errors.push(
      new StarlarkSyntaxError({ file: this.path, line: pos.line, col: pos.col }, msg),
    );
  }

  resolve(file: File) {
    const toplevel = this.newFunction('<toplevel>', { line: 1, col: 1 }, []);
    this.file = new Block(undefined, toplevel, true);
    this.env = this.file;
    this.stmts(file.stmts);
    this.resolveLocalUses(this.file);
    this.resolveNonLocalUses(this.file);
    file.toplevel = toplevel;
    file.globals = this.globalList;
    if (this.errors.length > 0) {
      this.errors.sort((a, b) => a.pos.line - b.pos.line || a.pos.col - b.pos.col);
      throw this.errors.length === 1 ? this.errors[0] : new StarlarkSyntaxErrors(this.errors);
    }
  }

  /** The innermost function (or file) block. */
  private container(): Block {
    let b = this.env;
    while (!b.fn) b = b.parent!;
    return b;
  }

  private inFunction(): boolean {
    return !this.container().isFile;
  }

  private posText(p: Pos) {
    return `${this.path}:${p.line}:${p.col}`;
  }

  /** Binds id in the current block; returns whether it was already bound there. */
  private bind(id: Ident): boolean {
    if (this.env === this.file) {
      const local = this.file.bindings.get(id.name);
      if (local) {
        // a file-local name (from load) being assigned
        if (!this.opts.globalreassign) this.errorf(id.pos, `cannot reassign local ${id.name}`);
        id.binding = local;
        return true;
      }
      const prev = this.globals.get(id.name);
      if (prev) {
        if (!this.opts.globalreassign) {
          this.errorf(
            id.pos,
            `cannot reassign global ${id.name} declared at ${this.posText(prev.first!)}`,
          );
        }
        id.binding = prev;
        return true;
      }
      const b: Binding = {
        scope: 'global',
        name: id.name,
        index: this.globalList.length,
        first: id.pos,
      };
      this.globals.set(id.name, b);
      this.globalList.push(id.name);
      id.binding = b;
      return false;
    }
    return this.bindLocal(id);
  }

  private bindLocal(id: Ident): boolean {
    let b = this.env.bindings.get(id.name);
    const existed = b !== undefined;
    if (!b) {
      const fn = this.container().fn!;
      b = { scope: 'local', name: id.name, index: fn.locals.length, first: id.pos };
      fn.locals.push(b);
      this.env.bindings.set(id.name, b);
    }
    this.use(id);
    return existed;
  }

  private use(id: Ident) {
    const u = { id, env: this.env };
    if (this.opts.globalreassign && this.env === this.file) {
      // Legacy semantics: a top-level use sees only what is bound so far.
      id.binding = this.useToplevel(u);
      return;
    }
    this.container().uses.push(u);
  }

  private stmts(list: Stmt[]) {
    for (const s of list) this.stmt(s);
  }

  private stmt(s: Stmt) {
    switch (s.k) {
      case 'expr':
        this.expr(s.x);
        break;
      case 'branch':
        if (this.loops === 0 && s.tok !== 'pass') this.errorf(s.pos, `${s.tok} not in a loop`);
        break;
      case 'if':
        if (!this.opts.toplevelcontrol && !this.inFunction())
          this.errorf(s.pos, 'if statement not within a function');
        this.expr(s.cond);
        this.ifstmts++;
        this.stmts(s.t);
        this.stmts(s.f);
        this.ifstmts--;
        break;
      case 'assign':
        this.expr(s.rhs);
        this.assign(s.lhs, s.op !== '=');
        break;
      case 'def': {
        this.bind(s.name);
        const fn = this.newFunction(s.name.name, s.pos, s.params);
        s.fn = fn;
        this.func(fn, s.params, () => this.stmts(s.body));
        break;
      }
      case 'for':
        if (!this.opts.toplevelcontrol && !this.inFunction())
          this.errorf(s.pos, 'for loop not within a function');
        this.expr(s.x);
        this.assign(s.vars, false);
        this.loops++;
        this.stmts(s.body);
        this.loops--;
        break;
      case 'while':
        if (!this.opts.while) this.errorf(s.pos, 'dialect does not support while loops');
        if (!this.opts.toplevelcontrol && !this.inFunction())
          this.errorf(s.pos, 'while loop not within a function');
        this.expr(s.cond);
        this.loops++;
        this.stmts(s.body);
        this.loops--;
        break;
      case 'return':
        if (!this.inFunction()) this.errorf(s.pos, 'return statement not within a function');
        if (s.x) this.expr(s.x);
        break;
      case 'load':
        if (this.inFunction()) this.errorf(s.pos, 'load statement within a function');
        else if (this.loops > 0) this.errorf(s.pos, 'load statement within a loop');
        else if (this.ifstmts > 0) this.errorf(s.pos, 'load statement within a conditional');
        for (let i = 0; i < s.from.length; i++) {
          const from = s.from[i];
          if (from.name === '') {
            this.errorf(from.pos, 'load: empty identifier');
            continue;
          }
          if (from.name[0] === '_') {
            this.errorf(
              from.pos,
              `load: names with leading underscores are not exported: ${from.name}`,
            );
          }
          const id = s.to[i];
          if (this.opts.loadbindsglobally) {
            this.bind(id);
          } else if (
            this.env === this.file &&
            this.globals.has(id.name) &&
            !this.opts.globalreassign
          ) {
            this.errorf(id.pos, `cannot reassign global ${id.name}`);
            this.bindLocal(id);
          } else if (this.bindLocal(id) && !this.opts.globalreassign) {
            this.errorf(id.pos, `cannot reassign top-level ${id.name}`);
          }
        }
        break;
    }
  }

  private assign(lhs: Expr, augmented: boolean) {
    switch (lhs.k) {
      case 'ident':
        this.bind(lhs);
        break;
      case 'index':
        this.expr(lhs.x);
        this.expr(lhs.y);
        break;
      case 'dot':
        this.expr(lhs.x);
        break;
      case 'tuple':
      case 'list':
        if (augmented) {
          this.errorf(
            lhs.pos,
            `can't use ${lhs.k === 'tuple' ? 'tuple' : 'list'} expression in augmented assignment`,
          );
        }
        for (const e of lhs.elems) this.assign(e, augmented);
        break;
      case 'paren':
        this.assign(lhs.x, augmented);
        break;
      default:
        this.errorf(startPos(lhs), `can't assign to ${NODE_NAMES[lhs.k]}`);
    }
  }

  private expr(e: Expr): void {
    switch (e.k) {
      case 'ident':
        this.use(e);
        return;
      case 'comp': {
        const first = e.clauses[0];
        if (first.k === 'for') this.expr(first.x);
        this.env = new Block(this.env, undefined);
        if (first.k === 'for') this.assign(first.vars, false);
        for (const c of e.clauses.slice(1)) {
          if (c.k === 'if') this.expr(c.cond);
          else {
            this.assign(c.vars, false);
            this.expr(c.x);
          }
        }
        if (e.body.k === 'entry') {
          this.expr(e.body.key);
          this.expr(e.body.value);
        } else this.expr(e.body);
        this.env = this.env.parent!;
        return;
      }
      case 'call': {
        this.expr(e.fn);
        let seenVarargs = false;
        let seenKwargs = false;
        const seenNames = new Set<string>();
        for (const a of e.args) {
          switch (a.k) {
            case 'starstar':
              if (seenKwargs) this.errorf(a.pos, 'multiple **kwargs not allowed');
              seenKwargs = true;
              this.expr(a.x);
              break;
            case 'star':
              if (seenKwargs) this.errorf(a.pos, '*args may not follow **kwargs');
              else if (seenVarargs) this.errorf(a.pos, 'multiple *args not allowed');
              seenVarargs = true;
              this.expr(a.x);
              break;
            case 'named':
              if (seenKwargs) this.errorf(a.pos, 'keyword argument may not follow **kwargs');
              else if (seenVarargs) this.errorf(a.pos, 'keyword argument may not follow *args');
              if (seenNames.has(a.name))
                this.errorf(a.pos, `keyword argument "${a.name}" is repeated`);
              seenNames.add(a.name);
              this.expr(a.x);
              break;
            case 'positional':
              if (seenVarargs) this.errorf(a.x.pos, 'positional argument may not follow *args');
              else if (seenKwargs)
                this.errorf(a.x.pos, 'positional argument may not follow **kwargs');
              else if (seenNames.size > 0)
                this.errorf(a.x.pos, 'positional argument may not follow named');
              this.expr(a.x);
              break;
          }
        }
        return;
      }
      case 'lambda': {
        const fn = this.newFunction('lambda', e.pos, e.params);
        e.fn = fn;
        this.func(fn, e.params, () => this.expr(e.body));
        return;
      }
      default:
        forEachChild(e, (x) => x && this.expr(x));
    }
  }

  private newFunction(name: string, pos: Pos, params: Param[]): FunctionInfo {
    return {
      name,
      pos,
      params,
      locals: [],
      freevars: [],
      numParams: 0,
      numKwonly: 0,
      hasVarargs: false,
      hasKwargs: false,
    };
  }

  private func(fn: FunctionInfo, params: Param[], body: () => void) {
    // Defaults are evaluated in the enclosing block.
    for (const p of params) if (p.dflt) this.expr(p.dflt);

    const saved = { env: this.env, loops: this.loops, ifstmts: this.ifstmts };
    const b = new Block(this.env, fn);
    this.env = b;
    this.loops = 0;
    this.ifstmts = 0;

    let seenOptional = false;
    let star: Param | undefined;
    let starStar: Param | undefined;
    let numKwonly = 0;
    for (const p of params) {
      switch (p.kind) {
        case 'plain':
          if (starStar)
            this.errorf(p.pos, `required parameter may not follow **${starStar.name!.name}`);
          else if (star) numKwonly++;
          else if (seenOptional) this.errorf(p.pos, 'required parameter may not follow optional');
          if (this.bind(p.name!)) this.errorf(p.pos, `duplicate parameter: ${p.name!.name}`);
          break;
        case 'default':
          if (starStar)
            this.errorf(p.pos, `optional parameter may not follow **${starStar.name!.name}`);
          else if (star) numKwonly++;
          if (this.bind(p.name!)) this.errorf(p.pos, `duplicate parameter: ${p.name!.name}`);
          seenOptional = true;
          break;
        case 'star':
          if (starStar) this.errorf(p.pos, `* parameter may not follow **${starStar.name!.name}`);
          else if (star) this.errorf(p.pos, 'multiple * parameters not allowed');
          else star = p;
          break;
        case 'starstar':
          if (starStar) this.errorf(p.pos, 'multiple ** parameters not allowed');
          starStar = p;
          break;
      }
    }
    fn.numParams = fn.locals.length;
    // *args and **kwargs take the slots after the named parameters.
    if (star) {
      if (star.name) {
        if (this.bind(star.name))
          this.errorf(star.name.pos, `duplicate parameter: ${star.name.name}`);
        fn.hasVarargs = true;
      } else if (numKwonly === 0) {
        this.errorf(star.pos, 'bare * must be followed by keyword-only parameters');
      }
    }
    if (starStar) {
      if (this.bind(starStar.name!))
        this.errorf(starStar.name!.pos, `duplicate parameter: ${starStar.name!.name}`);
      fn.hasKwargs = true;
    }
    fn.numKwonly = numKwonly;

    body();

    this.resolveLocalUses(b);
    this.env = saved.env;
    this.loops = saved.loops;
    this.ifstmts = saved.ifstmts;
  }

  /** Resolves the uses of a container's own locals; keeps the rest for the end of the file. */
  private resolveLocalUses(b: Block) {
    const rest: Use[] = [];
    for (const u of b.uses) {
      const bind = lookupLocal(u);
      if (bind && (bind.scope === 'local' || bind.scope === 'cell')) u.id.binding = bind;
      else rest.push(u);
    }
    b.uses = rest;
  }

  private resolveNonLocalUses(b: Block) {
    for (const c of b.children) this.resolveNonLocalUses(c);
    for (const u of b.uses) u.id.binding = this.lookupLexical(u, u.env);
  }

  private lookupLexical(u: Use, env: Block): Binding {
    if (env === this.file) {
      const local = this.file.bindings.get(u.id.name);
      if (local) return local;
      return this.useToplevel(u);
    }
    let bind = env.bindings.get(u.id.name);
    if (!bind) {
      bind = this.lookupLexical(u, env.parent!);
      if (env.fn && (bind.scope === 'local' || bind.scope === 'free' || bind.scope === 'cell')) {
        // Captured from an enclosing function: the outer slot becomes a cell
        // and this function gets a free variable referring to it.
        if (bind.scope === 'local') bind.scope = 'cell';
        const index = env.fn.freevars.length;
        env.fn.freevars.push(bind);
        bind = { scope: 'free', name: bind.name, index, first: bind.first };
      }
      env.bindings.set(u.id.name, bind);
    }
    return bind;
  }

  private useToplevel(u: Use): Binding {
    const name = u.id.name;
    const local = this.file.bindings.get(name);
    if (local) return local;
    const g = this.globals.get(name);
    if (g) return g;
    if (this.isPredeclared(name)) return { scope: 'predeclared', name, index: -1 };
    if (this.isUniversal(name)) {
      if (!this.opts.set && name === 'set') this.errorf(u.id.pos, 'dialect does not support sets');
      return { scope: 'universal', name, index: -1 };
    }
    const hint = this.spellcheck(u);
    this.errorf(u.id.pos, `undefined: ${name}${hint ? ` (did you mean ${hint}?)` : ''}`);
    return { scope: 'undefined', name, index: -1 };
  }

  private spellcheck(u: Use): string {
    const names = new Set<string>();
    for (let b: Block | undefined = u.env; b; b = b.parent)
      for (const n of b.bindings.keys()) names.add(n);
    for (const n of this.globals.keys()) names.add(n);
    names.delete(u.id.name);
    return nearest(u.id.name, names);
  }
}

function lookupLocal(u: Use): Binding | undefined {
  for (let env: Block | undefined = u.env; env; env = env.parent) {
    const b = env.bindings.get(u.id.name);
    if (b) return b;
    if (env.fn) break;
  }
  return undefined;
}

const NODE_NAMES: Record<string, string> = {
  lit: 'literal',
  binary: 'binaryexpr',
  unary: 'unaryexpr',
  call: 'callexpr',
  slice: 'sliceexpr',
  comp: 'comprehension',
  dict: 'dictexpr',
  cond: 'condexpr',
  lambda: 'lambdaexpr',
};

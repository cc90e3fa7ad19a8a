// Small traversals of the syntax tree shared by the resolver and the code generator.

import type { Expr, Ident, Pos, Stmt } from './ast.js';

/** The identifiers bound by an assignment target. */
export function targetIdents(e: Expr): Ident[] {
  switch (e.k) {
    case 'ident':
      return [e];
    case 'paren':
      return targetIdents(e.x);
    case 'tuple':
    case 'list':
      return e.elems.flatMap(targetIdents);
    default:
      return [];
  }
}

/** Calls f on each direct subexpression of e (comprehensions and lambdas excepted: they have scopes). */
export function forEachChild(e: Expr, f: (e: Expr | undefined) => void) {
  switch (e.k) {
    case 'list':
    case 'tuple':
      e.elems.forEach(f);
      return;
    case 'dict':
      for (const en of e.entries) {
        f(en.key);
        f(en.value);
      }
      return;
    case 'cond':
      f(e.cond);
      f(e.t);
      f(e.f);
      return;
    case 'unary':
    case 'paren':
    case 'dot':
      f(e.x);
      return;
    case 'binary':
    case 'index':
      f(e.x);
      f(e.y);
      return;
    case 'slice':
      f(e.x);
      f(e.lo);
      f(e.hi);
      f(e.step);
      return;
    case 'call':
      f(e.fn);
      for (const a of e.args) f(a.x);
      return;
  }
}

/** Whether the statements contain a loop outside nested functions. */
export function containsLoop(stmts: Stmt[]): boolean {
  return stmts.some((s) => {
    switch (s.k) {
      case 'for':
      case 'while':
        return true;
      case 'if':
        return containsLoop(s.t) || containsLoop(s.f);
      default:
        return false;
    }
  });
}

/** Where an expression begins (a binary expression's position is its operator's). */
export function startPos(e: Expr): Pos {
  switch (e.k) {
    case 'binary':
    case 'index':
    case 'slice':
    case 'dot':
      return startPos(e.x);
    case 'call':
      return startPos(e.fn);
    case 'cond':
      return startPos(e.t);
    default:
      return e.pos;
  }
}

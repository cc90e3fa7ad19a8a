// Syntax tree of a Starlark file. Positions are 1-based line and column.

import type { Value } from '../values/value.js';

export interface Pos {
  line: number;
  col: number;
}

/** How the resolver bound an identifier. */
export type Scope =
  'local' | 'cell' | 'free' | 'global' | 'predeclared' | 'universal' | 'undefined';

export interface Binding {
  scope: Scope;
  name: string;
  /** Slot in the frame (local, cell), the function's free list (free), or the module's globals. */
  index: number;
  /** Where the name was first bound (for messages). */
  first?: Pos;
}

export interface Ident {
  k: 'ident';
  pos: Pos;
  name: string;
  binding?: Binding;
}

export interface Literal {
  k: 'lit';
  pos: Pos;
  value: Value;
  token: 'int' | 'float' | 'string' | 'bytes';
}

export interface ListExpr {
  k: 'list';
  pos: Pos;
  elems: Expr[];
}
export interface TupleExpr {
  k: 'tuple';
  pos: Pos;
  elems: Expr[];
}
export interface DictEntry {
  k: 'entry';
  pos: Pos;
  key: Expr;
  value: Expr;
}
export interface DictExpr {
  k: 'dict';
  pos: Pos;
  entries: DictEntry[];
}
export interface ForClause {
  k: 'for';
  pos: Pos;
  vars: Expr;
  x: Expr;
}
export interface IfClause {
  k: 'if';
  pos: Pos;
  cond: Expr;
}
export interface Comprehension {
  k: 'comp';
  pos: Pos;
  curly: boolean;
  body: Expr | DictEntry;
  clauses: (ForClause | IfClause)[];
}
export type BinaryOp =
  | 'or'
  | 'and'
  | '=='
  | '!='
  | '<'
  | '>'
  | '<='
  | '>='
  | 'in'
  | 'not in'
  | '|'
  | '^'
  | '&'
  | '<<'
  | '>>'
  | '-'
  | '+'
  | '*'
  | '%'
  | '/'
  | '//';
export interface BinaryExpr {
  k: 'binary';
  pos: Pos;
  op: BinaryOp;
  x: Expr;
  y: Expr;
}
export interface UnaryExpr {
  k: 'unary';
  pos: Pos;
  op: '-' | '+' | '~' | 'not';
  x: Expr;
}
export type Arg =
  | { k: 'positional'; x: Expr }
  | { k: 'named'; pos: Pos; name: string; x: Expr }
  | { k: 'star'; pos: Pos; x: Expr }
  | { k: 'starstar'; pos: Pos; x: Expr };
export interface CallExpr {
  k: 'call';
  pos: Pos;
  fn: Expr;
  args: Arg[];
}
export interface IndexExpr {
  k: 'index';
  pos: Pos;
  x: Expr;
  y: Expr;
}
export interface SliceExpr {
  k: 'slice';
  pos: Pos;
  x: Expr;
  lo?: Expr;
  hi?: Expr;
  step?: Expr;
}
export interface DotExpr {
  k: 'dot';
  pos: Pos;
  x: Expr;
  name: string;
  namePos: Pos;
}
export interface CondExpr {
  k: 'cond';
  pos: Pos;
  cond: Expr;
  t: Expr;
  f: Expr;
}
export interface ParenExpr {
  k: 'paren';
  pos: Pos;
  x: Expr;
}
export interface LambdaExpr {
  k: 'lambda';
  pos: Pos;
  params: Param[];
  body: Expr;
  fn?: FunctionInfo;
}

export type Expr =
  | Ident
  | Literal
  | ListExpr
  | TupleExpr
  | DictExpr
  | Comprehension
  | BinaryExpr
  | UnaryExpr
  | CallExpr
  | IndexExpr
  | SliceExpr
  | DotExpr
  | CondExpr
  | ParenExpr
  | LambdaExpr;

export interface Param {
  kind: 'plain' | 'default' | 'star' | 'starstar';
  pos: Pos;
  /** Absent only for a bare `*`. */
  name?: Ident;
  dflt?: Expr;
}

/** Filled in by the resolver for each def, lambda and the file's top level. */
export interface FunctionInfo {
  name: string;
  pos: Pos;
  params: Param[];
  /** Bindings of the frame's slots (parameters first). */
  locals: Binding[];
  /** Bindings in the enclosing function captured by this one. */
  freevars: Binding[];
  numParams: number;
  numKwonly: number;
  hasVarargs: boolean;
  hasKwargs: boolean;
}

export interface ExprStmt {
  k: 'expr';
  pos: Pos;
  x: Expr;
}
export type AssignOp =
  '=' | '+=' | '-=' | '*=' | '/=' | '//=' | '%=' | '&=' | '|=' | '^=' | '<<=' | '>>=';
export interface AssignStmt {
  k: 'assign';
  pos: Pos;
  op: AssignOp;
  lhs: Expr;
  rhs: Expr;
}
export interface DefStmt {
  k: 'def';
  pos: Pos;
  name: Ident;
  params: Param[];
  body: Stmt[];
  fn?: FunctionInfo;
}
export interface IfStmt {
  k: 'if';
  pos: Pos;
  cond: Expr;
  t: Stmt[];
  f: Stmt[];
}
export interface ForStmt {
  k: 'for';
  pos: Pos;
  vars: Expr;
  x: Expr;
  body: Stmt[];
}
export interface WhileStmt {
  k: 'while';
  pos: Pos;
  cond: Expr;
  body: Stmt[];
}
export interface ReturnStmt {
  k: 'return';
  pos: Pos;
  x?: Expr;
}
export interface BranchStmt {
  k: 'branch';
  pos: Pos;
  tok: 'break' | 'continue' | 'pass';
}
export interface LoadStmt {
  k: 'load';
  pos: Pos;
  module: string;
  modulePos: Pos;
  /** Names in the loaded module. */
  from: Ident[];
  /** Names bound here. */
  to: Ident[];
}

export type Stmt =
  | ExprStmt
  | AssignStmt
  | DefStmt
  | IfStmt
  | ForStmt
  | WhileStmt
  | ReturnStmt
  | BranchStmt
  | LoadStmt;

export interface File {
  path: string;
  stmts: Stmt[];
  /** Filled in by the resolver. */
  toplevel?: FunctionInfo;
  /** Module-level global names in slot order (filled in by the resolver). */
  globals?: string[];
}

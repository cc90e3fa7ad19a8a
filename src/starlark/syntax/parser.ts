// Recursive-descent parser for Starlark, following go.starlark.net's grammar
// and its error messages. The first syntax error is thrown.

import type {
  Arg,
  AssignOp,
  BinaryOp,
  DictEntry,
  Expr,
  File,
  ForClause,
  Ident,
  IfClause,
  Param,
  Pos,
  Stmt,
} from './ast.js';
import { Scanner, describe, type Token } from './scanner.js';

const PRECEDENCE: Record<string, number> = {
  or: 0,
  and: 1,
  not: 2,
  '==': 3,
  '!=': 3,
  '<': 3,
  '>': 3,
  '<=': 3,
  '>=': 3,
  in: 3,
  'not in': 3,
  '|': 4,
  '^': 5,
  '&': 6,
  '<<': 7,
  '>>': 7,
  '-': 8,
  '+': 8,
  '*': 9,
  '%': 9,
  '/': 9,
  '//': 9,
};
const MAX_PREC = 10;
/** Deepest nesting of expressions; Python's parser stops at 200 parentheses. */
const MAX_NESTING = 200;

const ASSIGN_OPS = new Set([
  '=',
  '+=',
  '-=',
  '*=',
  '/=',
  '//=',
  '%=',
  '&=',
  '|=',
  '^=',
  '<<=',
  '>>=',
]);

export function parse(path: string, src: string): File {
  return new Parser(path, src).parseFile();
}

/** Parses a single expression (for embedders such as the conformance runner). */
export function parseExpr(path: string, src: string): Expr {
  const p = new Parser(path, src);
  const x = p.parseExpr(false);
  while (p.tok.kind === 'NEWLINE') p.advance();
  if (p.tok.kind !== 'EOF') p.unexpected('end of file');
  return x;
}

class Parser {
  private sc: Scanner;
  tok: Token;

  constructor(
    readonly path: string,
    src: string,
  ) {
    this.sc = new Scanner(path, src);
    this.tok = this.sc.next();
  }

  /** The current token's kind (a method, so that narrowing does not survive advance()). */
  private atKind(k: Token['kind']): boolean {
    return this.tok.kind === k;
  }

  private is(text: string): boolean {
    return (this.tok.kind === 'PUNCT' || this.tok.kind === 'KEYWORD') && this.tok.text === text;
  }

  advance(): Pos {
    const pos = this.tok.pos;
    this.tok = this.sc.next();
    return pos;
  }

  private error(pos: Pos, msg: string): never {
    this.sc.error(pos, msg);
  }

  unexpected(want: string): never {
    this.error(this.tok.pos, `got ${describe(this.tok)}, want ${want}`);
  }

  /** Consumes a punctuation, keyword or NEWLINE/INDENT/OUTDENT token. */
  private consume(text: string): Pos {
    const t = this.tok;
    const ok =
      text === 'NEWLINE' || text === 'INDENT' || text === 'OUTDENT'
        ? t.kind === text
        : (t.kind === 'PUNCT' || t.kind === 'KEYWORD') && t.text === text;
    if (!ok) {
      const want =
        text === 'NEWLINE'
          ? 'newline'
          : text === 'INDENT'
            ? 'indent'
            : text === 'OUTDENT'
              ? 'outdent'
              : /^[a-z]/.test(text)
                ? text
                : `'${text}'`;
      this.unexpected(want);
    }
    return this.advance();
  }

  parseFile(): File {
    const stmts: Stmt[] = [];
    while (this.tok.kind !== 'EOF') {
      if (this.tok.kind === 'NEWLINE') {
        this.advance();
        continue;
      }
      this.parseStmt(stmts);
    }
    return { path: this.path, stmts };
  }

  private parseStmt(stmts: Stmt[]): void {
    if (this.is('def')) stmts.push(this.parseDef());
    else if (this.is('if')) stmts.push(this.parseIf());
    else if (this.is('for')) stmts.push(this.parseFor());
    else if (this.is('while')) stmts.push(this.parseWhile());
    else this.parseSimpleStmt(stmts, true);
  }

  private parseDef(): Stmt {
    const pos = this.advance();
    const name = this.parseIdent();
    this.consume('(');
    const params = this.parseParams();
    this.consume(')');
    this.consume(':');
    const body = this.parseSuite();
    return { k: 'def', pos, name, params, body };
  }

  private parseIf(): Stmt {
    const pos = this.advance();
    const cond = this.parseTest();
    this.consume(':');
    const t = this.parseSuite();
    const top: Stmt = { k: 'if', pos, cond, t, f: [] };
    let tail = top;
    while (this.is('elif')) {
      const epos = this.advance();
      const c = this.parseTest();
      this.consume(':');
      const body = this.parseSuite();
      const elif: Stmt = { k: 'if', pos: epos, cond: c, t: body, f: [] };
      tail.f = [elif];
      tail = elif;
    }
    if (this.is('else')) {
      this.advance();
      this.consume(':');
      tail.f = this.parseSuite();
    }
    return top;
  }

  private parseFor(): Stmt {
    const pos = this.advance();
    const vars = this.parseForLoopVariables();
    this.consume('in');
    const x = this.parseExpr(false);
    this.consume(':');
    const body = this.parseSuite();
    return { k: 'for', pos, vars, x, body };
  }

  private parseWhile(): Stmt {
    const pos = this.advance();
    const cond = this.parseTest();
    this.consume(':');
    const body = this.parseSuite();
    return { k: 'while', pos, cond, body };
  }

  private parseForLoopVariables(): Expr {
    const v = this.parsePrimaryWithSuffix();
    if (!this.is(',')) return v;
    const elems = [v];
    while (this.is(',')) {
      this.advance();
      if (this.terminatesExprList()) break;
      elems.push(this.parsePrimaryWithSuffix());
    }
    return { k: 'tuple', pos: v.pos, elems };
  }

  private parseSuite(): Stmt[] {
    if (this.tok.kind === 'NEWLINE') {
      this.advance();
      this.consume('INDENT');
      const stmts: Stmt[] = [];
      while (!this.atKind('OUTDENT') && !this.atKind('EOF')) this.parseStmt(stmts);
      this.consume('OUTDENT');
      return stmts;
    }
    const stmts: Stmt[] = [];
    this.parseSimpleStmt(stmts, true);
    return stmts;
  }

  private parseSimpleStmt(stmts: Stmt[], consumeNL: boolean): void {
    for (;;) {
      stmts.push(this.parseSmallStmt());
      if (!this.is(';')) break;
      this.advance();
      if (this.tok.kind === 'NEWLINE' || this.tok.kind === 'EOF') break;
    }
    if (this.tok.kind !== 'EOF' && consumeNL) this.consume('NEWLINE');
  }

  private parseSmallStmt(): Stmt {
    const t = this.tok;
    if (t.kind === 'KEYWORD') {
      switch (t.text) {
        case 'return': {
          const pos = this.advance();
          let x: Expr | undefined;
          if (this.tok.kind !== 'EOF' && this.tok.kind !== 'NEWLINE' && !this.is(';'))
            x = this.parseExpr(false);
          return { k: 'return', pos, x };
        }
        case 'break':
        case 'continue':
        case 'pass': {
          const pos = this.advance();
          return { k: 'branch', pos, tok: t.text };
        }
        case 'load':
          return this.parseLoad();
      }
    }
    const x = this.parseExpr(false);
    if (this.tok.kind === 'PUNCT' && ASSIGN_OPS.has(this.tok.text)) {
      const op = this.tok.text as AssignOp;
      const pos = this.advance();
      const rhs = this.parseExpr(false);
      return { k: 'assign', pos, op, lhs: x, rhs };
    }
    return { k: 'expr', pos: x.pos, x };
  }

  private parseLoad(): Stmt {
    const pos = this.advance();
    const lparen = this.consume('(');
    if (this.tok.kind !== 'STRING')
      this.error(this.tok.pos, 'first operand of load statement must be a string literal');
    const modulePos = this.tok.pos;
    const module = this.tok.value as string;
    this.advance();
    const from: Ident[] = [];
    const to: Ident[] = [];
    while (!this.is(')') && !this.atKind('EOF')) {
      this.consume(',');
      if (this.is(')')) break;
      if (this.tok.kind === 'STRING') {
        const p = { line: this.tok.pos.line, col: this.tok.pos.col + 1 };
        const name = this.tok.value as string;
        this.advance();
        from.push({ k: 'ident', pos: p, name });
        to.push({ k: 'ident', pos: p, name });
      } else if (this.tok.kind === 'IDENT') {
        const id = this.parseIdent();
        to.push(id);
        if (!this.is('='))
          this.error(
            this.tok.pos,
            `load operand must be "${id.name}" or ${id.name}="originalname"`,
          );
        this.consume('=');
        if (this.tok.kind !== 'STRING') {
          this.error(
            this.tok.pos,
            `original name of loaded symbol must be quoted: ${id.name}="originalname"`,
          );
        }
        const p = { line: this.tok.pos.line, col: this.tok.pos.col + 1 };
        from.push({ k: 'ident', pos: p, name: this.tok.value as string });
        this.advance();
      } else {
        this.error(
          this.tok.pos,
          `load operand must be "name" or localname="name" (got ${describe(this.tok)})`,
        );
      }
    }
    this.consume(')');
    if (to.length === 0) this.error(lparen, 'load statement must import at least 1 symbol');
    return { k: 'load', pos, module, modulePos, from, to };
  }

  private parseIdent(): Ident {
    if (this.tok.kind !== 'IDENT') this.error(this.tok.pos, 'not an identifier');
    const id: Ident = { k: 'ident', pos: this.tok.pos, name: this.tok.text };
    this.advance();
    return id;
  }

  private terminatesExprList(): boolean {
    const t = this.tok;
    if (t.kind === 'EOF' || t.kind === 'NEWLINE') return true;
    return (
      t.kind === 'PUNCT' &&
      (t.text === '=' || t.text === '}' || t.text === ']' || t.text === ')' || t.text === ';')
    );
  }

  parseExpr(inParens: boolean): Expr {
    const x = this.parseTest();
    if (!this.is(',')) return x;
    return { k: 'tuple', pos: x.pos, elems: this.parseExprs([x], inParens) };
  }

  private parseExprs(exprs: Expr[], allowTrailingComma: boolean): Expr[] {
    while (this.is(',')) {
      const pos = this.advance();
      if (this.terminatesExprList()) {
        if (!allowTrailingComma) this.error(pos, 'unparenthesized tuple with trailing comma');
        break;
      }
      exprs.push(this.parseTest());
    }
    return exprs;
  }

  private parseTest(): Expr {
    if (this.is('lambda')) return this.parseLambda(true);
    const x = this.parseTestPrec(0);
    if (this.is('if')) {
      const pos = this.advance();
      const cond = this.parseTestPrec(0);
      if (!this.is('else')) this.error(pos, 'conditional expression without else clause');
      this.advance();
      const f = this.parseTest();
      return { k: 'cond', pos, cond, t: x, f };
    }
    return x;
  }

  private parseTestNoCond(): Expr {
    if (this.is('lambda')) return this.parseLambda(false);
    return this.parseTestPrec(0);
  }

  private parseLambda(allowCond: boolean): Expr {
    const pos = this.advance();
    const params = this.is(':') ? [] : this.parseParams();
    this.consume(':');
    const body = allowCond ? this.parseTest() : this.parseTestNoCond();
    return { k: 'lambda', pos, params, body };
  }

  private parseTestPrec(prec: number): Expr {
    if (prec >= MAX_PREC) return this.parsePrimaryWithSuffix();
    if (prec === PRECEDENCE.not && this.is('not')) {
      const pos = this.advance();
      const x = this.parseTestPrec(prec);
      return { k: 'unary', pos, op: 'not', x };
    }
    return this.parseBinop(prec);
  }

  private binop(): string | undefined {
    const t = this.tok;
    if ((t.kind === 'PUNCT' || t.kind === 'KEYWORD') && t.text in PRECEDENCE && t.text !== 'not')
      return t.text;
    return undefined;
  }

  private parseBinop(prec: number): Expr {
    let x = this.parseTestPrec(prec + 1);
    for (let first = true; ; first = false) {
      if (this.is('not')) {
        // In this position `not` must begin `not in`: fold the two into one token.
        this.advance();
        if (!this.is('in')) this.unexpected('in');
        this.tok = { kind: 'KEYWORD', text: 'not in', pos: this.tok.pos };
      }
      const op = this.binop();
      if (op === undefined) return x;
      const opprec = PRECEDENCE[op];
      if (opprec < prec) return x;
      if (!first && opprec === PRECEDENCE['==']) {
        this.error(
          this.tok.pos,
          `${(x as { op: string }).op} does not associate with ${op} (use parens)`,
        );
      }
      const pos = this.advance();
      const y = this.parseTestPrec(opprec + 1);
      x = { k: 'binary', pos, op: op as BinaryOp, x, y };
    }
  }

  private parsePrimaryWithSuffix(): Expr {
    let x = this.parsePrimary();
    for (;;) {
      if (this.is('.')) {
        const pos = this.advance();
        const id = this.parseIdent();
        x = { k: 'dot', pos, x, name: id.name, namePos: id.pos };
      } else if (this.is('[')) {
        x = this.parseSliceSuffix(x);
      } else if (this.is('(')) {
        x = this.parseCallSuffix(x);
      } else return x;
    }
  }

  private parseSliceSuffix(x: Expr): Expr {
    const pos = this.advance();
    let lo: Expr | undefined;
    let hi: Expr | undefined;
    let step: Expr | undefined;
    if (!this.is(':')) {
      const y = this.parseExpr(false);
      if (this.is(']')) {
        this.advance();
        return { k: 'index', pos, x, y };
      }
      lo = y;
    }
    if (this.is(':')) {
      this.advance();
      if (!this.is(':') && !this.is(']')) hi = this.parseTest();
    }
    if (this.is(':')) {
      this.advance();
      if (!this.is(']')) step = this.parseTest();
    }
    this.consume(']');
    return { k: 'slice', pos, x, lo, hi, step };
  }

  private parseCallSuffix(fn: Expr): Expr {
    const pos = this.consume('(');
    const args: Arg[] = [];
    if (this.is(')')) {
      this.advance();
      return { k: 'call', pos, fn, args };
    }
    while (!this.is(')') && this.tok.kind !== 'EOF') {
      if (args.length > 0) this.consume(',');
      if (this.is(')')) break;
      if (this.is('*') || this.is('**')) {
        const star = this.tok.text;
        const spos = this.advance();
        const x = this.parseTest();
        args.push({ k: star === '*' ? 'star' : 'starstar', pos: spos, x });
        continue;
      }
      const x = this.parseTest();
      if (this.is('=')) {
        if (x.k !== 'ident') this.error(this.tok.pos, 'keyword argument must have form name=expr');
        this.advance();
        const y = this.parseTest();
        args.push({ k: 'named', pos: x.pos, name: x.name, x: y });
        continue;
      }
      args.push({ k: 'positional', x });
    }
    this.consume(')');
    return { k: 'call', pos, fn, args };
  }

  private parseParams(): Param[] {
    const params: Param[] = [];
    while (!this.is(')') && !this.is(':') && this.tok.kind !== 'EOF') {
      if (params.length > 0) this.consume(',');
      if (this.is(')')) break;
      if (this.is('*') || this.is('**')) {
        const star = this.tok.text;
        const pos = this.advance();
        let name: Ident | undefined;
        if (star === '**' || this.tok.kind === 'IDENT') name = this.parseIdent();
        params.push({ kind: star === '*' ? 'star' : 'starstar', pos, name });
        continue;
      }
      const name = this.parseIdent();
      if (this.is('=')) {
        this.advance();
        const dflt = this.parseTest();
        params.push({ kind: 'default', pos: name.pos, name, dflt });
        continue;
      }
      params.push({ kind: 'plain', pos: name.pos, name });
    }
    return params;
  }

  /** Nesting of brackets, unary operators and lambdas, bounded to keep recursion finite. */
  private nesting = 0;

  private parsePrimary(): Expr {
    if (++this.nesting > MAX_NESTING) {
      this.error(this.tok.pos, `expression nested too deeply (more than ${MAX_NESTING} levels)`);
    }
    try {
      return this.parsePrimaryInner();
    } finally {
      this.nesting--;
    }
  }

  private parsePrimaryInner(): Expr {
    const t = this.tok;
    switch (t.kind) {
      case 'IDENT':
        return this.parseIdent();
      case 'INT':
      case 'FLOAT':
      case 'STRING':
      case 'BYTES': {
        this.advance();
        const token =
          t.kind === 'INT'
            ? 'int'
            : t.kind === 'FLOAT'
              ? 'float'
              : t.kind === 'STRING'
                ? 'string'
                : 'bytes';
        return { k: 'lit', pos: t.pos, value: t.value!, token };
      }
      case 'PUNCT':
        switch (t.text) {
          case '[':
            return this.parseList();
          case '{':
            return this.parseDict();
          case '(': {
            const pos = this.advance();
            if (this.is(')')) {
              this.advance();
              return { k: 'tuple', pos, elems: [] };
            }
            const x = this.parseExpr(true);
            this.consume(')');
            return { k: 'paren', pos, x };
          }
          case '-':
          case '+':
          case '~': {
            const pos = this.advance();
            const x = this.parsePrimaryWithSuffix();
            return { k: 'unary', pos, op: t.text, x };
          }
        }
    }
    this.unexpected('primary expression');
  }

  private parseList(): Expr {
    const pos = this.advance();
    if (this.is(']')) {
      this.advance();
      return { k: 'list', pos, elems: [] };
    }
    const x = this.parseTest();
    if (this.is('for')) return this.parseComprehensionSuffix(pos, x, ']');
    let elems = [x];
    if (this.is(',')) elems = this.parseExprs(elems, true);
    this.consume(']');
    return { k: 'list', pos, elems };
  }

  private parseDict(): Expr {
    const pos = this.advance();
    if (this.is('}')) {
      this.advance();
      return { k: 'dict', pos, entries: [] };
    }
    const x = this.parseDictEntry();
    if (this.is('for')) return this.parseComprehensionSuffix(pos, x, '}');
    const entries = [x];
    while (this.is(',')) {
      this.advance();
      if (this.is('}')) break;
      entries.push(this.parseDictEntry());
    }
    this.consume('}');
    return { k: 'dict', pos, entries };
  }

  private parseDictEntry(): DictEntry {
    const key = this.parseTest();
    const pos = this.consume(':');
    const value = this.parseTest();
    return { k: 'entry', pos, key, value };
  }

  private parseComprehensionSuffix(pos: Pos, body: Expr | DictEntry, end: string): Expr {
    const clauses: (ForClause | IfClause)[] = [];
    while (!this.is(end)) {
      if (this.is('for')) {
        const fpos = this.advance();
        const vars = this.parseForLoopVariables();
        this.consume('in');
        const x = this.parseTestPrec(0);
        clauses.push({ k: 'for', pos: fpos, vars, x });
      } else if (this.is('if')) {
        const ipos = this.advance();
        const cond = this.parseTestNoCond();
        clauses.push({ k: 'if', pos: ipos, cond });
      } else {
        this.unexpected(`'${end}', for, or if`);
      }
    }
    this.advance();
    return { k: 'comp', pos, curly: end === '}', body, clauses };
  }
}

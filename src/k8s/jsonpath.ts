// The JSONPath dialect of kubectl and Tilt (`{.spec.containers[*].image}`), over plain
// JSON objects. Matches remember where they were found so they can be replaced in place.
// Supported: fields, `.*`, `..`, `[i]`, `[]` (first), `[*]`, slices `[a:b:c]`, unions
// `[a,b]`, `['key']`, filters `[?(@.f == "x")]`, quoted text; errors read like Tilt's.

import { goFormatS, goQuote, goTypeName } from './go-format.js';
import { isJSONObject, type JSONObject, type JSONValue } from './json.js';

type Param = { known: boolean; value: number; derived: boolean };

type Node =
  | { type: 'list'; nodes: Node[] }
  | { type: 'text'; text: string }
  | { type: 'field'; name: string }
  | { type: 'wildcard' }
  | { type: 'recursive' }
  | { type: 'array'; params: [Param, Param, Param] }
  | { type: 'union'; branches: Node[][] }
  | { type: 'filter'; left: Node[]; right: Node[]; op: string }
  | { type: 'literal'; value: number | boolean }
  | { type: 'identifier'; name: string };

/** A value found by a path, with the container it sits in when it can be replaced. */
export class JSONPathMatch {
  constructor(
    public value: JSONValue,
    readonly path: readonly (string | number)[],
    readonly parent?: JSONObject | JSONValue[],
    readonly key?: string | number,
  ) {}

  get settable(): boolean {
    return this.parent !== undefined;
  }

  /** Replaces the value inside the object it was found in. */
  set(v: JSONValue): void {
    if (this.parent === undefined || this.key === undefined) {
      throw new Error('cannot set a value that is not inside an object or array');
    }
    (this.parent as Record<string | number, JSONValue>)[this.key] = v;
    this.value = v;
  }
}

export class JSONPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JSONPathError';
  }
}

export class JSONPath {
  private constructor(
    readonly path: string,
    private readonly root: Node[],
  ) {}

  /** Parses a path, failing with the parser's message (e.g. `unclosed action`). */
  static parse(path: string): JSONPath {
    return new JSONPath(path, new Parser(path).parseTemplate());
  }

  toString(): string {
    return this.path;
  }

  /** Every value the path selects, in order. */
  find(obj: JSONValue): JSONPathMatch[] {
    try {
      const start = [new JSONPathMatch(obj, [])];
      return this.root.flatMap((node) => evaluate(start, node));
    } catch (e) {
      if (!(e instanceof JSONPathError)) throw e;
      throw new JSONPathError(`Matching (json_path=${goQuote(this.path)}): ${e.message}`);
    }
  }

  /** Like find, but every match must be a string. */
  findStrings(obj: JSONValue): (JSONPathMatch & { value: string })[] {
    const matches = this.find(obj);
    for (const m of matches) {
      if (typeof m.value !== 'string') {
        throw new JSONPathError(
          `May only match strings (json_path=${goQuote(this.path)})\n` +
            `Got Type: ${goTypeName(m.value)}\nGot Value: ${goFormatS(m.value)}`,
        );
      }
    }
    return matches as (JSONPathMatch & { value: string })[];
  }
}

const TERMINATORS = new Set([' ', '\t', '\r', '\n', '.', ',', '[', ']', '$', '@', '{', '}']);
const isAlphaNumeric = (c: string) => c === '_' || /^[\p{L}\p{Nd}]$/u.test(c);

class Parser {
  private pos = 0;

  constructor(private readonly input: string) {}

  parseTemplate(): Node[] {
    const nodes: Node[] = [];
    const s = this.input;
    while (this.pos < s.length) {
      const open = s.indexOf('{', this.pos);
      if (open < 0) {
        nodes.push({ type: 'text', text: s.slice(this.pos) });
        break;
      }
      if (open > this.pos) nodes.push({ type: 'text', text: s.slice(this.pos, open) });
      this.pos = open + 1;
      const action: Node[] = [];
      this.parseAction(action);
      nodes.push({ type: 'list', nodes: action });
    }
    return nodes;
  }

  private peek(n = 1): string {
    return this.input.slice(this.pos, this.pos + n);
  }

  private parseAction(out: Node[]): void {
    for (;;) {
      if (this.peek() === '}') {
        this.pos++;
        return;
      }
      if (this.peek(3) === '[?(') {
        this.pos += 3;
        out.push(this.parseFilter());
        continue;
      }
      if (this.peek(2) === '..') {
        this.pos += 2;
        out.push({ type: 'recursive' });
        if (isAlphaNumeric(this.peek())) out.push(this.parseField());
        continue;
      }
      const c = this.peek();
      if (c === '' || c === '\r' || c === '\n') throw new JSONPathError('unclosed action');
      if (c === ' ' || c === '@' || c === '$') {
        this.pos++;
      } else if (c === '[') {
        this.pos++;
        out.push(...this.parseArray());
      } else if (c === '"' || c === "'") {
        out.push(this.parseQuote(c));
      } else if (c === '.') {
        this.pos++;
        out.push(this.parseField());
      } else if (c === '+' || c === '-' || /\d/.test(c)) {
        out.push(this.parseNumber());
      } else if (isAlphaNumeric(c)) {
        out.push(this.parseIdentifier());
      } else {
        const cp = c.codePointAt(0) as number;
        const u = 'U+' + cp.toString(16).toUpperCase().padStart(4, '0');
        throw new JSONPathError(`unrecognized character in action: ${u} '${c}'`);
      }
    }
  }

  /** Reads up to the next unescaped terminator; "\" escapes the following character. */
  private readWord(): string {
    const start = this.pos;
    while (this.pos < this.input.length) {
      const c = this.input[this.pos];
      if (c === '\\') this.pos += 2;
      else if (TERMINATORS.has(c)) break;
      else this.pos++;
    }
    return this.input.slice(start, Math.min(this.pos, this.input.length));
  }

  private parseField(): Node {
    const word = this.readWord();
    return word === '*' ? { type: 'wildcard' } : { type: 'field', name: word.replace(/\\/g, '') };
  }

  private parseIdentifier(): Node {
    const word = this.readWord();
    if (word === 'true' || word === 'false') return { type: 'literal', value: word === 'true' };
    return { type: 'identifier', name: word };
  }

  private parseNumber(): Node {
    const m = /^[+-]?[\d.]*/.exec(this.input.slice(this.pos)) as RegExpExecArray;
    this.pos += m[0].length;
    const text = m[0];
    if (/^[+-]?\d+$/.test(text)) return { type: 'literal', value: parseInt(text, 10) };
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) return { type: 'literal', value: parseFloat(text) };
    throw new JSONPathError(`cannot parse number ${text}`);
  }

  private parseQuote(quote: string): Node {
    const start = this.pos;
    this.pos++;
    for (;;) {
      const c = this.input[this.pos];
      if (c === undefined || c === '\n') throw new JSONPathError('unterminated quoted string');
      this.pos++;
      if (c === quote && this.input[this.pos - 2] !== '\\') break;
    }
    const raw = this.input.slice(start, this.pos);
    return { type: 'text', text: unquote(raw) };
  }

  private parseArray(): Node[] {
    const close = this.input.indexOf(']', this.pos);
    const newline = this.input.indexOf('\n', this.pos);
    if (close < 0 || (newline >= 0 && newline < close)) {
      throw new JSONPathError('unterminated array');
    }
    let text = this.input.slice(this.pos, close);
    this.pos = close + 1;
    if (text === '*') text = ':';

    const parts = text.split(',');
    if (parts.length > 1) {
      return [{ type: 'union', branches: parts.map((p) => parseSubAction(`[${p.trim()}]`)) }];
    }
    const dictKey = /^'([^']*)'$/.exec(text);
    if (dictKey) return parseSubAction(`.${dictKey[1]}`);

    const slice = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/.exec(text);
    if (!slice) throw new JSONPathError(`invalid array index ${text}`);
    const params: Param[] = [];
    for (let i = 0; i < 3; i++) {
      let v = slice[i + 1] ?? '';
      if (v !== '') {
        if (i > 0) v = v.slice(1);
        if (i > 0 && v === '') {
          params.push({ known: false, value: 0, derived: false });
        } else {
          if (!/^-?\d+$/.test(v)) throw new JSONPathError(`array index ${v} is not a number`);
          params.push({ known: true, value: parseInt(v, 10), derived: false });
        }
      } else if (i === 1) {
        // `[n]` means the slice n:n+1.
        params.push({ known: true, value: params[0].value + 1, derived: true });
      } else {
        params.push({ known: false, value: 0, derived: false });
      }
    }
    return [{ type: 'array', params: params as [Param, Param, Param] }];
  }

  private parseFilter(): Node {
    const start = this.pos;
    let begin = false;
    let end = false;
    let quote = '';
    for (;;) {
      const c = this.input[this.pos];
      if (c === undefined || c === '\n') throw new JSONPathError('unterminated filter');
      this.pos++;
      if (c === '"' || c === "'") {
        if (!begin) {
          begin = true;
          quote = c;
        } else if (this.input[this.pos - 2] !== '\\' && c === quote) {
          end = true;
        }
      } else if (c === ')' && begin === end) {
        break;
      }
    }
    if (this.input[this.pos] !== ']') throw new JSONPathError('unclosed array expect ]');
    this.pos++;
    const text = this.input.slice(start, this.pos - 2);
    const cmp = /^([^!<>=]+)([!<>=]+)(.+?)$/.exec(text);
    if (!cmp) return { type: 'filter', left: parseSubAction(text), right: [], op: 'exists' };
    return {
      type: 'filter',
      left: parseSubAction(cmp[1]),
      right: parseSubAction(cmp[3]),
      op: cmp[2],
    };
  }
}

/** Parses `text` as the inside of one `{...}` action. */
function parseSubAction(text: string): Node[] {
  const [first] = new Parser(`{${text}}`).parseTemplate();
  return first && first.type === 'list' ? first.nodes : [];
}

function unquote(raw: string): string {
  const quote = raw[0];
  const body = raw.slice(1, -1);
  if (!body.includes('\\')) return body;
  return body.replace(/\\(.)/g, (m, c: string) => {
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\' };
    if (c in simple) return simple[c];
    if (c === quote) return c;
    throw new JSONPathError(`unquote string ${raw} error invalid syntax`);
  });
}

function evaluate(input: JSONPathMatch[], node: Node): JSONPathMatch[] {
  switch (node.type) {
    case 'list':
      return node.nodes.reduce(evaluate, input);
    case 'text':
      return [new JSONPathMatch(node.text, [])];
    case 'literal':
      return input.map(() => new JSONPathMatch(node.value, []));
    case 'identifier':
      throw new JSONPathError(`unrecognized identifier ${node.name}`);
    case 'field':
      return evalField(input, node.name);
    case 'wildcard':
      return input.flatMap(children);
    case 'recursive':
      return evalRecursive(input);
    case 'array':
      return input.flatMap((m) => evalArray(m, node.params));
    case 'union':
      return node.branches.flatMap((b) => b.reduce(evaluate, input));
    case 'filter':
      return input.flatMap((m) => evalFilter(m, node));
  }
}

function evalField(input: JSONPathMatch[], name: string): JSONPathMatch[] {
  if (input.length === 0) return [];
  const out: JSONPathMatch[] = [];
  for (const m of input) {
    const v = m.value;
    if (isJSONObject(v) && Object.hasOwn(v, name)) {
      out.push(new JSONPathMatch(v[name], [...m.path, name], v, name));
    }
  }
  if (out.length === 0) throw new JSONPathError(`${name} is not found`);
  return out;
}

function children(m: JSONPathMatch): JSONPathMatch[] {
  const v = m.value;
  if (Array.isArray(v)) return v.map((x, i) => new JSONPathMatch(x, [...m.path, i], v, i));
  if (isJSONObject(v)) {
    return Object.keys(v).map((k) => new JSONPathMatch(v[k], [...m.path, k], v, k));
  }
  return [];
}

function evalRecursive(input: JSONPathMatch[]): JSONPathMatch[] {
  const out: JSONPathMatch[] = [];
  for (const m of input) {
    const kids = children(m);
    if (kids.length > 0) out.push(m, ...evalRecursive(kids));
  }
  return out;
}

function evalArray(m: JSONPathMatch, nodeParams: [Param, Param, Param]): JSONPathMatch[] {
  const v = m.value;
  if (v === null) return [];
  if (!Array.isArray(v)) throw new JSONPathError(`${goTypeName(v)} is not array or slice`);
  const [p0, p1, p2] = nodeParams.map((p) => ({ ...p }));
  const len = v.length;
  if (!p0.known) p0.value = 0;
  if (p0.value < 0) p0.value += len;
  if (!p1.known) p1.value = len;
  if (p1.value < 0 || (p1.value === 0 && p1.derived)) p1.value += len;
  // Asking for zero elements is allowed whatever the bounds.
  if (p1.value === p0.value) return [];
  if (p0.value >= len || p0.value < 0) {
    throw new JSONPathError(`array index out of bounds: index ${p0.value}, length ${len}`);
  }
  if (p1.value > len || p1.value < 0) {
    throw new JSONPathError(`array index out of bounds: index ${p1.value - 1}, length ${len}`);
  }
  if (p0.value > p1.value) {
    throw new JSONPathError(`starting index ${p0.value} is greater than ending index ${p1.value}`);
  }
  let step = 1;
  if (p2.known) {
    if (p2.value <= 0) throw new JSONPathError('step must be > 0');
    step = p2.value;
  }
  const out: JSONPathMatch[] = [];
  for (let i = p0.value; i < p1.value; i += step) {
    out.push(new JSONPathMatch(v[i], [...m.path, i], v, i));
  }
  return out;
}

function evalFilter(
  m: JSONPathMatch,
  node: { left: Node[]; right: Node[]; op: string },
): JSONPathMatch[] {
  const v = m.value;
  if (!Array.isArray(v)) {
    const shown = v === null ? '<invalid reflect.Value>' : goFormatS(v);
    throw new JSONPathError(`${shown} is not array or slice and cannot be filtered`);
  }
  const out: JSONPathMatch[] = [];
  v.forEach((item, i) => {
    const elem = new JSONPathMatch(item, [...m.path, i], v, i);
    let lefts: JSONPathMatch[] = [];
    let leftErr: unknown;
    try {
      lefts = node.left.reduce(evaluate, [elem]);
    } catch (e) {
      leftErr = e;
    }
    if (node.op === 'exists') {
      if (lefts.length > 0) out.push(elem);
      return;
    }
    if (leftErr) throw leftErr;
    if (lefts.length === 0) return;
    if (lefts.length > 1) throw new JSONPathError('can only compare one element at a time');
    const rights = node.right.reduce(evaluate, [elem]);
    if (rights.length === 0) return;
    if (rights.length > 1) throw new JSONPathError('can only compare one element at a time');
    if (compare(lefts[0].value, rights[0].value, node.op)) out.push(elem);
  });
  return out;
}

function compare(a: JSONValue, b: JSONValue, op: string): boolean {
  const comparable =
    (typeof a === 'number' && typeof b === 'number') ||
    (typeof a === 'string' && typeof b === 'string') ||
    (typeof a === 'boolean' && typeof b === 'boolean' && (op === '==' || op === '!='));
  if (!comparable) throw new JSONPathError('incompatible types for comparison');
  const x = a as number | string;
  const y = b as number | string;
  switch (op) {
    case '==':
      return x === y;
    case '!=':
      return x !== y;
    case '<':
      return x < y;
    case '>':
      return x > y;
    case '<=':
      return x <= y;
    case '>=':
      return x >= y;
  }
  throw new JSONPathError(`unrecognized filter operator ${op}`);
}

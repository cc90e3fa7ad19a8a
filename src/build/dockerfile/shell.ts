// Shell-style word processing as BuildKit applies it to Dockerfile arguments: quotes, the escape
// token, and $VAR / ${VAR...} substitution. Used to expand ARGs in FROM and --from values, and to
// find heredoc markers on an instruction line.

export class ShellWordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShellWordError';
  }
}

export type Env = ReadonlyMap<string, string>;

export interface WordOptions {
  /** The Dockerfile escape token: `\` (default) or a backtick. */
  escape?: string;
  /** Leave unset variables as written instead of expanding them to "". */
  skipUnset?: boolean;
}

/** Expands one word the way BuildKit's ProcessWord does; throws ShellWordError on bad syntax. */
export function expandWord(word: string, env: Env, opts: WordOptions = {}): string {
  const lexer = new Lexer(word, env, opts.escape ?? '\\', opts.skipUnset ?? false);
  try {
    return lexer.until(undefined, false);
  } catch (e) {
    if (e instanceof ShellWordError) {
      throw new ShellWordError(`failed to process ${JSON.stringify(word)}: ${e.message}`);
    }
    throw e;
  }
}

/** Go's unicode.IsSpace, which BuildKit uses to split words. */
export function isSpace(ch: string | undefined): boolean {
  return (
    ch !== undefined &&
    /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/.test(ch)
  );
}

/**
 * Splits a line into shell words without expanding anything. With `raw`, quotes and escapes stay
 * in the words (as BuildKit does when it looks for heredoc markers); without, they are removed.
 */
export function splitShellWords(line: string, raw: boolean): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  const flush = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      let inner = '';
      while (j < line.length && line[j] !== ch) {
        // Only double quotes honour escapes.
        if (ch === '"' && line[j] === '\\' && j + 1 < line.length) {
          if (raw) inner += line[j];
          j++;
        }
        inner += line[j++];
      }
      if (j >= line.length) {
        const kind = ch === '"' ? 'double' : 'single';
        throw new ShellWordError(
          `unexpected end of statement while looking for matching ${kind}-quote`,
        );
      }
      word += raw ? ch + inner + ch : inner;
      inWord = true;
      i = j;
    } else if (ch === '\\') {
      if (i + 1 >= line.length) break;
      word += raw ? ch + line[i + 1] : line[i + 1];
      inWord = true;
      i++;
    } else if (isSpace(ch)) {
      flush();
    } else {
      word += ch;
      inWord = true;
    }
  }
  flush();
  return words;
}

const SPECIAL_PARAMS = '@*#?-$!0';

class Lexer {
  private i = 0;

  constructor(
    private readonly s: string,
    private readonly env: Env,
    private readonly escape: string,
    private readonly skipUnset: boolean,
  ) {}

  /** Processes up to `stop` (consumed) or the end; `rawEscapes` keeps escape tokens (patterns). */
  until(stop: string | undefined, rawEscapes: boolean): string {
    let out = '';
    while (this.i < this.s.length) {
      const ch = this.s[this.i];
      if (stop !== undefined && ch === stop) {
        this.i++;
        return out;
      }
      if (ch === '$') out += this.dollar();
      else if (ch === "'") out += this.singleQuoted();
      else if (ch === '"') out += this.doubleQuoted();
      else {
        this.i++;
        if (ch === this.escape) {
          if (rawEscapes) out += ch;
          if (this.i >= this.s.length) break;
          out += this.s[this.i++];
        } else {
          out += ch;
        }
      }
    }
    if (stop !== undefined) {
      throw new ShellWordError(`unexpected end of statement while looking for matching ${stop}`);
    }
    return out;
  }

  private singleQuoted(): string {
    const close = this.s.indexOf("'", this.i + 1);
    if (close < 0) {
      throw new ShellWordError(
        'unexpected end of statement while looking for matching single-quote',
      );
    }
    const text = this.s.slice(this.i + 1, close);
    this.i = close + 1;
    return text;
  }

  private doubleQuoted(): string {
    let out = '';
    this.i++;
    for (;;) {
      const ch = this.s[this.i];
      if (ch === undefined) {
        throw new ShellWordError(
          'unexpected end of statement while looking for matching double-quote',
        );
      }
      if (ch === '"') {
        this.i++;
        return out;
      }
      if (ch === '$') {
        out += this.dollar();
        continue;
      }
      this.i++;
      if (ch === this.escape) {
        const next = this.s[this.i];
        if (next === undefined) continue;
        // Inside double quotes only these can be escaped; other escapes stay literal.
        if (next === '"' || next === '$' || next === this.escape) {
          out += next;
          this.i++;
          continue;
        }
      }
      out += ch;
    }
  }

  private lookup(name: string): string | undefined {
    return this.env.get(name);
  }

  private dollar(): string {
    this.i++;
    if (this.s[this.i] !== '{') {
      const name = this.name();
      if (name === '') return '$';
      const value = this.lookup(name);
      if (value === undefined && this.skipUnset) return '$' + name;
      return value ?? '';
    }
    this.i++;
    const first = this.s[this.i];
    if (first === undefined) throw new ShellWordError("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') {
      throw new ShellWordError('syntax error: bad substitution');
    }
    const name = this.name();
    let op = this.s[this.i++];
    if (op === undefined) throw new ShellWordError("syntax error: missing '}'");
    const value = this.lookup(name);
    if (op === '}') {
      if (value === undefined && this.skipUnset) return `\${${name}}`;
      return value ?? '';
    }
    if (op === '/') return this.replace(name, value);
    if (!':+-?#%'.includes(op))
      throw new ShellWordError(`unsupported modifier (${op}) in substitution`);
    let nullIsUnset = false;
    let mod = op;
    if (op === ':') {
      nullIsUnset = true;
      op = this.s[this.i++] ?? '';
      mod += op;
    }
    const word = this.modifierWord(op === '#' || op === '%');
    if (value === undefined && this.skipUnset) return `\${${name}${mod}${word}}`;
    const empty = value === undefined || (nullIsUnset && value === '');
    switch (op) {
      case '-':
        return empty ? word : (value ?? '');
      case '+':
        return empty ? '' : word;
      case '?':
        if (value === undefined) {
          throw new ShellWordError(`${name}: ${word || 'is not allowed to be unset'}`);
        }
        if (empty) throw new ShellWordError(`${name}: ${word || 'is not allowed to be empty'}`);
        return value;
      case '#':
      case '%':
        return trimPattern(value ?? '', word, op === '#');
    }
    throw new ShellWordError(`unsupported modifier (${mod}) in substitution`);
  }

  private modifierWord(rawEscapes: boolean): string {
    try {
      return this.until('}', rawEscapes);
    } catch (e) {
      if (this.i >= this.s.length) throw new ShellWordError("syntax error: missing '}'");
      throw e;
    }
  }

  private replace(name: string, value: string | undefined): string {
    const all = this.s[this.i] === '/';
    if (all) this.i++;
    let pattern: string;
    try {
      pattern = this.until('/', true);
    } catch (_e) {
      throw new ShellWordError("syntax error: missing '/' in ${}");
    }
    const replacement = this.modifierWord(true);
    if (value === undefined && this.skipUnset) {
      return `\${${name}/${pattern}/${replacement}}`;
    }
    const re = globRegExp(pattern, true, all ? 'g' : '');
    return (value ?? '').replace(re, () => replacement);
  }

  /** A variable name: letters, digits and `_`; or a run of digits; or one special parameter. */
  private name(): string {
    const start = this.i;
    const first = this.s[this.i];
    if (first === undefined) return '';
    if (/[0-9]/.test(first)) {
      while (/[0-9]/.test(this.s[this.i] ?? '')) this.i++;
      return this.s.slice(start, this.i);
    }
    if (SPECIAL_PARAMS.includes(first)) {
      this.i++;
      return first;
    }
    while (this.i < this.s.length && /[\p{L}\p{N}_]/u.test(this.s[this.i])) this.i++;
    return this.s.slice(start, this.i);
  }
}

/** ${v#p} / ${v##p} strip a prefix, ${v%p} / ${v%%p} a suffix; a doubled operator is greedy. */
function trimPattern(value: string, word: string, prefix: boolean): string {
  const op = prefix ? '#' : '%';
  const greedy = word.startsWith(op);
  const re = globRegExp(greedy ? word.slice(1) : word, true, '', true);
  const n = value.length;
  for (let k = 0; k <= n; k++) {
    // Shortest match first unless greedy.
    const len = greedy ? n - k : k;
    const part = prefix ? value.slice(0, len) : value.slice(n - len);
    if (re.test(part)) return prefix ? value.slice(len) : value.slice(0, n - len);
  }
  return value;
}

/** Shell pattern (`*`, `?`, `\x`) to a RegExp. */
function globRegExp(pattern: string, greedy: boolean, flags: string, whole = false): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') out += greedy ? '.*' : '.*?';
    else if (ch === '?') out += '.';
    else if (ch === '\\') {
      const next = pattern[i + 1];
      if (next === '}' || next === '/') continue;
      if (next !== '*' && next !== '?' && next !== '\\') {
        throw new ShellWordError(
          `invalid pattern (${pattern}) in substitution: invalid escape '\\${next ?? ''}'`,
        );
      }
      out += '\\' + next;
      i++;
    } else out += ch.replace(/[[\]{}.+()|^$]/, '\\$&');
  }
  return new RegExp(whole ? `^(?:${out})$` : out, 's' + flags);
}

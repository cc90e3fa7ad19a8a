// A Dockerfile parser that follows BuildKit's rules: parser directives, comments, line
// continuations, per-instruction argument forms (JSON or shell), flags, and heredocs. Besides the
// parsed values it keeps where each instruction's text came from, so callers can rewrite one
// argument and leave every other byte of the file alone.

import { isSpace, splitShellWords, ShellWordError } from './shell.js';

export interface Dockerfile {
  /** Parser directives from the top of the file, by lower-case name (`escape`, `syntax`, `check`). */
  directives: Record<string, string>;
  /** The escape token in effect: `\` or a backtick. */
  escapeToken: string;
  instructions: Instruction[];
}

export interface Instruction {
  /** The instruction name, upper-case. */
  cmd: string;
  /** The instruction name as written. */
  keyword: string;
  /** Flags by name (without `--`); a flag given without `=value` maps to "". Later ones win. */
  flags: Record<string, string>;
  /** Every flag in order (RUN may repeat --mount), with its place in `original`. */
  flagList: Flag[];
  /**
   * The arguments as BuildKit's parser leaves them: the JSON array's strings; one string for the
   * shell form of RUN/CMD/ENTRYPOINT/SHELL and single-value instructions; whitespace-separated
   * words for FROM/COPY/ADD/EXPOSE/VOLUME; raw words (quotes kept) for ARG; key, value, key,
   * value... for ENV and LABEL; the trigger instruction and its arguments for ONBUILD.
   */
  args: string[];
  /** Whether the arguments were written in JSON (exec) form. */
  json: boolean;
  /** The logical line: continuation lines joined, comment lines and line continuations removed. */
  original: string;
  /** 1-based lines of the file the instruction covers, heredoc bodies included. */
  startLine: number;
  endLine: number;
  heredocs?: Heredoc[];
  /** Offset in `original` where the arguments start, after the name and flags. */
  argsAt: number;
  /** How `original` maps onto the file text. */
  segments: SourceSegment[];
}

export interface Flag {
  name: string;
  /** null when written without `=`. Quotes and backslash escapes are already removed. */
  value: string | null;
  /** The flag word's range in the instruction's `original`. */
  at: number;
  end: number;
}

export interface Heredoc {
  name: string;
  /** The lines between the marker and the terminator, each with its line ending. */
  body: string;
  /** Written `<<-`: leading tabs are to be stripped from body lines. */
  chomp: boolean;
  /** The marker was unquoted, so the body is subject to variable expansion. */
  expand: boolean;
}

/** `original.slice(at, at + len)` is `text.slice(src, src + len)`. */
export interface SourceSegment {
  at: number;
  src: number;
  len: number;
}

/** A parse error with the 1-based line it was found on. */
export class DockerfileParseError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    /** Instruction-level errors carry BuildKit's `dockerfile parse error on line N:` prefix. */
    prefixed = false,
  ) {
    super(prefixed ? `dockerfile parse error on line ${line}: ${reason}` : reason);
    this.name = 'DockerfileParseError';
  }
}

const INSTRUCTIONS = [
  'add',
  'arg',
  'cmd',
  'copy',
  'entrypoint',
  'env',
  'expose',
  'from',
  'healthcheck',
  'label',
  'maintainer',
  'onbuild',
  'run',
  'shell',
  'stopsignal',
  'user',
  'volume',
  'workdir',
];

const DIRECTIVE_RE =
  /^#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$/;
const KNOWN_DIRECTIVES = new Set(['escape', 'syntax', 'check']);
const WHITESPACE = /[\t\v\f\r ]+/;
const HEREDOC_RE = /^(\d*)<<(-?)([^<]*)$/;
const NOT_STRING_ARRAY = 'when using JSON array syntax, arrays must be comprised of strings only';

interface Line {
  text: string;
  start: number;
  /** Start of the next line: the raw line with its ending is text.slice(start, next). */
  next: number;
}

export function parseDockerfile(text: string): Dockerfile {
  return new Parser(text).parse();
}

/** Maps a range of `inst.original` to the matching range of the file text. */
export function sourceRange(inst: Instruction, at: number, end: number): [number, number] {
  return [sourceOffset(inst, at), sourceOffset(inst, end - 1) + 1];
}

function sourceOffset(inst: Instruction, at: number): number {
  for (const seg of inst.segments) {
    if (at >= seg.at && at < seg.at + seg.len) return seg.src + (at - seg.at);
  }
  throw new RangeError(`offset ${at} is outside instruction at line ${inst.startLine}`);
}

class Parser {
  private readonly lines: Line[];
  private escape = '\\';
  private continuation = continuationRegExp('\\');
  private directivesDone = false;
  private readonly directives: Record<string, string> = {};

  constructor(private readonly text: string) {
    this.lines = splitLines(text);
  }

  parse(): Dockerfile {
    const instructions: Instruction[] = [];
    let i = 0;
    while (i < this.lines.length) {
      let { text, start } = this.lines[i];
      if (i === 0 && text.startsWith('\uFEFF')) {
        text = text.slice(1);
        start += 1;
      }
      const lead = leadingSpace(text);
      const trimmed = text.slice(lead);
      this.directive(trimmed, i + 1);
      i++;
      const startLine = i;
      let [piece, done] = this.trimContinuation(trimmed.startsWith('#') ? '' : trimmed);
      if (done && piece === '') continue;

      let line = piece;
      const segments: SourceSegment[] = [{ at: 0, src: start + lead, len: piece.length }];
      while (!done && i < this.lines.length) {
        const next = this.lines[i++];
        // Comment and blank lines inside a continued instruction are dropped.
        if (next.text.slice(leadingSpace(next.text)).startsWith('#')) continue;
        if (leadingSpace(next.text) === next.text.length) continue;
        [piece, done] = this.trimContinuation(next.text);
        segments.push({ at: line.length, src: next.start, len: piece.length });
        line += piece;
      }

      const inst = this.instruction(line, startLine, i);
      inst.segments = segments.filter((s) => s.len > 0);
      i = this.readHeredocs(inst, i);
      instructions.push(inst);
    }
    if (instructions.length === 0) {
      throw new DockerfileParseError('file with no instructions', this.lines.length);
    }
    for (const inst of instructions) validate(inst);
    return { directives: this.directives, escapeToken: this.escape, instructions };
  }

  /** Parser directives count only before any other line, blank lines and comments included. */
  private directive(line: string, lineNo: number): void {
    if (this.directivesDone) return;
    const m = DIRECTIVE_RE.exec(line);
    const key = m?.[1].toLowerCase();
    if (!m || !key || !KNOWN_DIRECTIVES.has(key)) {
      this.directivesDone = true;
      return;
    }
    if (key in this.directives) {
      throw new DockerfileParseError(`only one ${key} parser directive can be used`, lineNo);
    }
    const value = m[2];
    if (key === 'escape') {
      if (value !== '`' && value !== '\\') {
        throw new DockerfileParseError(
          `invalid escape token '${value}' does not match \` or \\`,
          lineNo,
        );
      }
      this.escape = value;
      this.continuation = continuationRegExp(value);
    }
    this.directives[key] = value;
  }

  private trimContinuation(line: string): [string, boolean] {
    const m = this.continuation.exec(line);
    if (!m) return [line, true];
    return [line.slice(0, m.index + (m[1]?.length ?? 0)), false];
  }

  private instruction(line: string, startLine: number, endLine: number): Instruction {
    const lead = leadingSpace(line);
    const body = line.slice(lead, line.length - trailingSpace(line));
    const ws = WHITESPACE.exec(body);
    const keyword = ws ? body.slice(0, ws.index) : body;
    const cmd = keyword.toUpperCase();
    let flagList: Flag[] = [];
    let argsAt = lead + body.length;
    let rest = '';
    if (ws) {
      const from = lead + ws.index + ws[0].length;
      const extracted = extractFlags(line.slice(0, lead + body.length), from);
      flagList = extracted.flags;
      argsAt = extracted.restAt;
      rest = line.slice(argsAt, lead + body.length);
      argsAt += leadingSpace(rest);
      rest = rest.slice(leadingSpace(rest));
    }
    const flags: Record<string, string> = {};
    for (const f of flagList) flags[f.name] = f.value ?? '';
    const inst: Instruction = {
      cmd,
      keyword,
      flags,
      flagList,
      args: [],
      json: false,
      original: line,
      startLine,
      endLine,
      argsAt,
      segments: [],
    };
    try {
      const { args, json } = parseArgs(cmd, rest, this.escape);
      inst.args = args;
      inst.json = json;
    } catch (e) {
      if (e instanceof ArgError) throw new DockerfileParseError(e.message, startLine);
      throw e;
    }
    return inst;
  }

  /** Reads the bodies of the instruction's heredocs; returns the index of the next line. */
  private readHeredocs(inst: Instruction, i: number): number {
    if (!canContainHeredoc(inst)) return i;
    const docs = heredocsOf(inst.original, inst.startLine);
    if (docs.length === 0) return i;
    for (const doc of docs) {
      let terminated = false;
      while (i < this.lines.length) {
        const line = this.lines[i++];
        let candidate = line.text;
        if (doc.chomp) candidate = candidate.replace(/^\t+/, '');
        if (candidate === doc.name) {
          terminated = true;
          break;
        }
        doc.body += this.text.slice(line.start, line.next);
      }
      if (!terminated) throw new DockerfileParseError('unterminated heredoc', inst.startLine);
    }
    inst.heredocs = docs;
    inst.endLine = i;
    return i;
  }
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const next = nl < 0 ? text.length : nl + 1;
    const end = nl < 0 ? text.length : nl;
    lines.push({ text: text.slice(start, end).replace(/\r+$/, ''), start, next });
    start = next;
  }
  return lines;
}

/** The escape token at the end of a line continues it, unless the token is itself escaped. */
function continuationRegExp(escape: string): RegExp {
  const e = escape === '\\' ? '\\\\' : escape;
  return new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`);
}

function leadingSpace(s: string): number {
  let n = 0;
  while (n < s.length && isSpace(s[n])) n++;
  return n;
}

function trailingSpace(s: string): number {
  let n = 0;
  while (n < s.length && isSpace(s[s.length - 1 - n])) n++;
  return n;
}

/**
 * Reads `--name[=value]` words from `line` starting at `from`, up to the first word that does not
 * start with `--` (or a bare `--`). Quotes and backslashes in flag words are processed.
 */
function extractFlags(line: string, from: number): { flags: Flag[]; restAt: number } {
  const flags: Flag[] = [];
  let pos = from;
  for (;;) {
    while (pos < line.length && isSpace(line[pos])) pos++;
    if (pos >= line.length) return { flags, restAt: pos };
    if (!line.startsWith('--', pos)) return { flags, restAt: pos };
    const at = pos;
    let word = '';
    let quoted = false;
    while (pos < line.length && !isSpace(line[pos])) {
      const ch = line[pos];
      if (ch === '"' || ch === "'") {
        quoted = true;
        pos++;
        while (pos < line.length && line[pos] !== ch) {
          if (line[pos] === '\\' && pos + 1 < line.length) pos++;
          word += line[pos++];
        }
        pos++;
      } else if (ch === '\\') {
        pos++;
        if (pos < line.length) word += line[pos++];
      } else {
        word += ch;
        pos++;
      }
    }
    if (word === '--' && !quoted) return { flags, restAt: pos };
    if (word === '' && !quoted) continue;
    const eq = word.indexOf('=');
    flags.push({
      name: eq < 0 ? word.slice(2) : word.slice(2, eq),
      value: eq < 0 ? null : word.slice(eq + 1),
      at,
      end: Math.min(pos, line.length),
    });
  }
}

class ArgError extends Error {}

interface Args {
  args: string[];
  json: boolean;
}

function parseArgs(cmd: string, rest: string, escape: string): Args {
  switch (cmd) {
    case 'RUN':
    case 'CMD':
    case 'ENTRYPOINT':
    case 'SHELL':
      return maybeJSON(rest);
    case 'ADD':
    case 'COPY':
    case 'VOLUME':
      return maybeJSONList(rest);
    case 'FROM':
    case 'EXPOSE':
      return { args: splitWhitespace(rest), json: false };
    case 'ARG':
      return { args: parseWords(rest, escape), json: false };
    case 'ENV':
    case 'LABEL':
      return { args: parseNameVal(rest, cmd, escape), json: false };
    case 'HEALTHCHECK':
      return healthcheck(rest);
    case 'MAINTAINER':
    case 'STOPSIGNAL':
    case 'USER':
    case 'WORKDIR':
      return { args: rest === '' ? [] : [rest], json: false };
    case 'ONBUILD':
      return onbuild(rest, escape);
    default:
      return { args: [], json: false };
  }
}

function splitWhitespace(rest: string): string[] {
  return rest === '' ? [] : rest.split(WHITESPACE);
}

/** A JSON array of strings, or undefined when `rest` is not JSON (so it is the shell form). */
function jsonArray(rest: string): string[] | undefined {
  const text = rest.slice(leadingSpace(rest));
  if (!text.startsWith('[')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (_e) {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  if (!parsed.every((v) => typeof v === 'string')) throw new ArgError(NOT_STRING_ARRAY);
  return parsed as string[];
}

function maybeJSON(rest: string): Args {
  if (rest === '') return { args: [], json: false };
  const arr = jsonArray(rest);
  return arr ? { args: arr, json: true } : { args: [rest], json: false };
}

function maybeJSONList(rest: string): Args {
  const arr = jsonArray(rest);
  return arr ? { args: arr, json: true } : { args: splitWhitespace(rest), json: false };
}

function healthcheck(rest: string): Args {
  let sep = 0;
  while (sep < rest.length && !isSpace(rest[sep])) sep++;
  if (sep === 0) return { args: [], json: false };
  const cmd = maybeJSON(rest.slice(sep + leadingSpace(rest.slice(sep))));
  return { args: [rest.slice(0, sep), ...cmd.args], json: cmd.json };
}

function onbuild(rest: string, escape: string): Args {
  if (rest === '') return { args: [], json: false };
  const ws = WHITESPACE.exec(rest);
  const keyword = ws ? rest.slice(0, ws.index) : rest;
  if (!ws) return { args: [keyword], json: false };
  const after = rest.slice(ws.index + ws[0].length);
  const { restAt } = extractFlags(after, 0);
  const sub = parseArgs(keyword.toUpperCase(), after.slice(restAt), escape);
  return { args: [keyword, ...sub.args], json: sub.json };
}

/**
 * Splits on unquoted whitespace keeping quotes and escapes in the words; BuildKit expands them
 * later. A quoted empty string is a word.
 */
function parseWords(rest: string, escape: string): string[] {
  const words: string[] = [];
  let word = '';
  let blankOK = false;
  let inWord = false;
  let quote = '';
  for (let pos = 0; pos < rest.length; pos++) {
    let ch = rest[pos];
    if (quote) {
      if (ch === quote) quote = '';
      else if (ch === escape && quote !== "'") {
        if (pos + 1 === rest.length) continue;
        word += ch;
        ch = rest[++pos];
      }
      word += ch;
      continue;
    }
    if (isSpace(ch)) {
      if (inWord && (blankOK || word !== '')) words.push(word);
      word = '';
      blankOK = false;
      inWord = false;
      continue;
    }
    inWord = true;
    if (ch === "'" || ch === '"') {
      quote = ch;
      blankOK = true;
    } else if (ch === escape) {
      if (pos + 1 === rest.length) continue;
      word += ch;
      ch = rest[++pos];
    }
    word += ch;
  }
  if (inWord && (blankOK || word !== '')) words.push(word);
  return words;
}

/** ENV and LABEL: `name=value ...`, or the legacy `name value` when the first word has no `=`. */
function parseNameVal(rest: string, cmd: string, escape: string): string[] {
  const words = parseWords(rest, escape);
  if (words.length === 0) return [];
  if (!words[0].includes('=')) {
    const ws = WHITESPACE.exec(rest);
    if (!ws) throw new ArgError(`${cmd} must have two arguments`);
    return [rest.slice(0, ws.index), rest.slice(ws.index + ws[0].length)];
  }
  const out: string[] = [];
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq < 0) {
      throw new ArgError(
        `Syntax error - can't find = in ${JSON.stringify(word)}. Must be of the form: name=value`,
      );
    }
    out.push(word.slice(0, eq), word.slice(eq + 1));
  }
  return out;
}

function canContainHeredoc(inst: Instruction): boolean {
  if (inst.json) return false;
  const cmd = inst.cmd === 'ONBUILD' ? (inst.args[0] ?? '').toUpperCase() : inst.cmd;
  return cmd === 'RUN' || cmd === 'COPY' || cmd === 'ADD';
}

/** Heredoc markers (`<<EOF`, `<<-EOF`, `<<"EOF"`, `3<<EOF`) among the words of the line. */
function heredocsOf(line: string, lineNo: number): Heredoc[] {
  let words: string[];
  try {
    words = splitShellWords(line, true);
  } catch (_e) {
    return [];
  }
  const docs: Heredoc[] = [];
  for (const word of words) {
    const m = HEREDOC_RE.exec(word);
    if (!m || m[3] === '') continue;
    let names: string[];
    try {
      names = splitShellWords(m[3], false);
    } catch (e) {
      if (e instanceof ShellWordError) throw new DockerfileParseError(e.message, lineNo);
      throw e;
    }
    if (names.length !== 1) continue;
    const quotes = (s: string) => (s.match(/['"]/g) ?? []).length;
    const name = names[0];
    docs.push({ name, body: '', chomp: m[2] === '-', expand: quotes(name) === quotes(m[3]) });
  }
  return docs;
}

// Instruction-level checks, as BuildKit makes them after the whole file has parsed.

const EXACTLY_ONE = new Set(['MAINTAINER', 'WORKDIR', 'USER', 'STOPSIGNAL']);
const AT_LEAST_ONE = new Set(['ARG', 'ENV', 'LABEL', 'EXPOSE', 'VOLUME', 'HEALTHCHECK', 'ONBUILD']);

function validate(inst: Instruction): void {
  const fail = (reason: string) => {
    throw new DockerfileParseError(reason, inst.startLine, true);
  };
  const lower = inst.keyword.toLowerCase();
  if (!INSTRUCTIONS.includes(lower)) fail(unknownInstruction(inst.keyword));
  const { cmd, args } = inst;
  if (EXACTLY_ONE.has(cmd) && args.length !== 1) fail(`${cmd} requires exactly one argument`);
  if (AT_LEAST_ONE.has(cmd) && args.length === 0) fail(`${cmd} requires at least one argument`);
  switch (cmd) {
    case 'FROM':
      if (args.length === 3 && args[1].toLowerCase() === 'as') {
        if (!/^[a-z][a-z0-9-_.]*$/.test(args[2].toLowerCase())) {
          fail(
            `invalid name for build stage: ${JSON.stringify(args[2])}, name can't start with a number or contain symbols`,
          );
        }
      } else if (args.length !== 1) {
        fail('FROM requires either one or three arguments');
      }
      break;
    case 'COPY':
    case 'ADD':
      if (args.length < 2) {
        fail(
          `${cmd} requires at least two arguments, but only one was provided. Destination could not be determined`,
        );
      }
      break;
    case 'ARG':
      if (args.some((a) => a.startsWith('='))) fail('ARG names can not be blank');
      break;
    case 'ONBUILD': {
      const trigger = args[0].toUpperCase();
      if (trigger === 'ONBUILD') fail("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if (trigger === 'MAINTAINER' || trigger === 'FROM') {
        fail(`${trigger} isn't allowed as an ONBUILD trigger`);
      }
      break;
    }
    case 'ENV':
    case 'LABEL':
      for (let k = 0; k < args.length; k += 2) {
        if (args[k] === '') fail(`${cmd} names can not be blank`);
      }
      break;
  }
}

/** `unknown instruction: X`, with BuildKit's "did you mean" for a near miss. */
function unknownInstruction(keyword: string): string {
  const msg = `unknown instruction: ${keyword}`;
  const val = keyword.toLowerCase();
  let best = '';
  let bestDist = 3;
  for (const name of INSTRUCTIONS) {
    const d = levenshtein(val, name);
    if (d < bestDist) {
      best = name;
      bestDist = d;
    }
  }
  if (!best) return msg;
  const match = keyword === keyword.toUpperCase() && keyword !== val ? best.toUpperCase() : best;
  return `${msg} (did you mean ${match}?)`;
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

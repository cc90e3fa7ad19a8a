// The settings a Tiltfile defines with config.define_*: their values, how
// they are set from tilt_config.json and from the command line after `--`
// (parsed like spf13/pflag: --name value, --name=value, interspersed
// positional args), and the usage text shown when parsing fails.

import { Dict, List, None, repr, type Value } from '../../starlark/values/value.js';
import { fromHost, toHost } from '../args.js';
import { fromData, GoFloat, type Data } from './files-data.js';
import { decodeJSONData, JSONSyntaxError } from './files-json.js';

export type SettingKind = 'string' | 'string_list' | 'bool' | 'object';

export interface SettingDef {
  kind: SettingKind;
  usage: string;
}

/** Go's %q of a string. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

/** The Go type of a value decoded from tilt_config.json (numbers are float64). */
function goTypeOfJSON(d: Data): string {
  if (d === null) return '<nil>';
  if (typeof d === 'boolean') return 'bool';
  if (typeof d === 'string') return 'string';
  if (typeof d === 'bigint' || d instanceof GoFloat) return 'float64';
  if (Array.isArray(d)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** Go's strconv.ParseBool. */
function parseBool(s: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  throw new Error(`strconv.ParseBool: parsing ${goQuote(s)}: invalid syntax`);
}

/** One setting's value while parsing. */
export class SettingValue {
  isSet = false;
  private str = '';
  private list: string[] = [];
  private bool = false;
  private obj: Value | undefined;

  constructor(readonly kind: SettingKind) {}

  /** Sets from a command-line argument; throws Error with Tilt's message. */
  set(v: string): void {
    switch (this.kind) {
      case 'string':
        if (this.isSet) {
          throw new Error(
            `string settings can only be specified once. multiple values found (last value: ${v}`,
          );
        }
        this.str = v;
        break;
      case 'string_list':
        this.list.push(v);
        break;
      case 'bool':
        if (this.isSet) {
          throw new Error(
            `bool settings can only be specified once. multiple values found (last value: ${v})`,
          );
        }
        this.bool = parseBool(v);
        break;
      case 'object': {
        if (this.isSet) {
          throw new Error(
            `object settings can only be specified once. multiple values found (last value: ${toHost(repr(this.obj!))})`,
          );
        }
        let d: Data;
        try {
          d = decodeJSONData(v);
        } catch (e) {
          if (e instanceof JSONSyntaxError)
            throw new Error(`decoding JSON, got ${goQuote(v)}: ${e.message}`);
          throw e;
        }
        this.obj = fromData(d);
        break;
      }
    }
    this.isSet = true;
  }

  /** Sets from a value of tilt_config.json; null leaves the setting at its zero value. */
  setFromJSON(d: Data): void {
    switch (this.kind) {
      case 'string':
        if (d === null) return;
        if (typeof d !== 'string') throw new Error(`expected string, found ${goTypeOfJSON(d)}`);
        this.str = d;
        break;
      case 'string_list':
        this.list = [];
        if (d === null) return;
        if (!Array.isArray(d)) throw new Error('expected array');
        for (const e of d) {
          if (typeof e !== 'string') throw new Error(`expected string, got ${goTypeOfJSON(e)}`);
          this.list.push(e);
        }
        break;
      case 'bool':
        if (d === null) return;
        if (typeof d !== 'boolean') throw new Error(`expected bool, found ${goTypeOfJSON(d)}`);
        this.bool = d;
        break;
      case 'object':
        if (d === null) return;
        this.obj = fromData(d);
        break;
    }
    this.isSet = true;
  }

  toStarlark(): Value {
    switch (this.kind) {
      case 'string':
        return fromHost(this.str);
      case 'string_list':
        return new List(this.list.map(fromHost));
      case 'bool':
        return this.bool;
      case 'object':
        return this.obj ?? None;
    }
  }

  /** The flag's type name in usage text (pflag's Value.Type). */
  get typeName(): string {
    return { string: 'string', string_list: 'list[string]', bool: 'bool', object: 'object' }[
      this.kind
    ];
  }

  /** The flag's default as pflag shows it (Value.String at definition). */
  get defaultText(): string {
    return this.kind === 'bool' ? 'false' : this.kind === 'object' ? 'None' : '';
  }
}

/** A failure while parsing the command line; `usage` is printed before it. */
export class FlagError extends Error {}

/** The usage text pflag prints for the flags: one aligned line per flag, sorted by name. */
export function usageText(defs: Map<string, SettingDef>, positional: string | undefined): string {
  const lines: [string, string][] = [];
  for (const name of [...defs.keys()].sort()) {
    if (name === positional) continue;
    const def = defs.get(name)!;
    const v = new SettingValue(def.kind);
    let head = `      --${name}`;
    if (def.kind !== 'bool') head += ` ${v.typeName}`;
    let usage = def.usage;
    const dflt = v.defaultText;
    if (!['', 'false', '0', '<nil>'].includes(dflt)) usage += ` (default ${dflt})`;
    lines.push([head, usage]);
  }
  const width = Math.max(0, ...lines.map(([h]) => h.length));
  return ['Usage:', ...lines.map(([h, u]) => `${h} ${' '.repeat(width + 1 - h.length)} ${u}`)].join(
    '\n',
  );
}

/**
 * Parses the arguments after `--` into fresh setting values. Positional
 * arguments go to the `positional` setting. Throws FlagError for flag
 * syntax errors (after which usage is shown) and Error otherwise.
 */
export function parseArgs(
  defs: Map<string, SettingDef>,
  positional: string | undefined,
  args: string[],
): Map<string, SettingValue> {
  const values = new Map<string, SettingValue>();
  for (const [name, def] of defs) values.set(name, new SettingValue(def.kind));
  const rest: string[] = [];
  const flag = (name: string) => (name === positional ? undefined : values.get(name));
  const set = (name: string, v: SettingValue, value: string) => {
    try {
      v.set(value);
    } catch (e) {
      throw new FlagError(
        `invalid argument ${goQuote(value)} for "--${name}" flag: ${(e as Error).message}`,
      );
    }
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      rest.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const body = a.slice(2);
      if (body[0] === '-' || body[0] === '=') throw new FlagError(`bad flag syntax: ${a}`);
      const eq = body.indexOf('=');
      const name = eq < 0 ? body : body.slice(0, eq);
      const v = flag(name);
      if (!v) {
        if (name === 'help') throw new FlagError('pflag: help requested');
        throw new FlagError(`unknown flag: --${name}`);
      }
      if (eq >= 0) set(name, v, body.slice(eq + 1));
      else if (v.kind === 'bool') set(name, v, 'true');
      else if (i + 1 < args.length) set(name, v, args[++i]);
      else throw new FlagError(`flag needs an argument: --${name}`);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      const c = a[1];
      if (c === 'h') throw new FlagError('pflag: help requested');
      throw new FlagError(`unknown shorthand flag: '${c}' in ${a}`);
    }
    rest.push(a);
  }
  if (rest.length > 0) {
    if (positional === undefined) {
      throw new Error(
        'positional args were specified, but none were expected (no setting defined with args=True)',
      );
    }
    const v = values.get(positional)!;
    for (const arg of rest) {
      try {
        v.set(arg);
      } catch (e) {
        throw new Error(`error setting positional arg ${positional}: ${(e as Error).message}`);
      }
    }
  }
  return values;
}

/** Settings from the text of tilt_config.json; throws Error with Tilt's message. */
export function parseConfigFile(
  defs: Map<string, SettingDef>,
  path: string,
  text: string,
): Map<string, SettingValue> {
  let d: Data;
  try {
    d = decodeJSONData(text);
  } catch (e) {
    if (e instanceof JSONSyntaxError)
      throw new Error(`error parsing json from ${path}: ${e.message}`);
    throw e;
  }
  const out = new Map<string, SettingValue>();
  if (d === null) return out;
  if (!(d instanceof Map))
    throw new Error(`error parsing json from ${path}: expected a JSON object`);
  for (const [k, v] of d) {
    const def = defs.get(k);
    if (!def) throw new Error(`${path} specified unknown setting name '${k}'`);
    const sv = new SettingValue(def.kind);
    try {
      sv.setFromJSON(v);
    } catch (e) {
      throw new Error(`${path} specified invalid value for setting ${k}: ${(e as Error).message}`);
    }
    out.set(k, sv);
  }
  return out;
}

/** The dict config.parse returns: file settings overlaid by those set on the command line. */
export function mergeSettings(
  defs: Map<string, SettingDef>,
  fromFile: Map<string, SettingValue>,
  fromArgs: Map<string, SettingValue>,
): Dict {
  const out = new Dict();
  for (const name of defs.keys()) {
    const a = fromArgs.get(name);
    const v = a?.isSet ? a : fromFile.get(name);
    if (v) out.setUnchecked(fromHost(name), v.toStarlark());
  }
  return out;
}

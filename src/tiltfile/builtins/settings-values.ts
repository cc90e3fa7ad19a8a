// Starlark values of the settings family: trigger modes, links, probes and
// their actions.

import { EvalError } from '../../starlark/errors.js';
import { nearest } from '../../starlark/values/spell.js';
import { Struct } from '../../starlark/values/struct.js';
import {
  StarObject,
  compositeKey,
  repr,
  type HashKey,
  type Value,
} from '../../starlark/values/value.js';
import type { Link, TriggerMode } from '../../model/manifest.js';
import { fromHost } from '../args.js';
import { goQuote, registerGoType } from './settings-go.js';

/** TRIGGER_MODE_AUTO and TRIGGER_MODE_MANUAL. */
export class TriggerModeValue extends StarObject {
  constructor(readonly mode: TriggerMode) {
    super();
  }
  get type() {
    return 'TriggerMode';
  }
  override hashKey(): HashKey {
    return '\u0104TriggerMode' + this.mode;
  }
  repr(out: string[]) {
    out.push(this.mode);
  }
}

export const TRIGGER_MODE_AUTO = new TriggerModeValue('TRIGGER_MODE_AUTO');
export const TRIGGER_MODE_MANUAL = new TriggerModeValue('TRIGGER_MODE_MANUAL');

/**
 * A struct branded with a constructor name, as Tilt's link and probe values
 * are: it prints as `name(field = value, ...)` and its fields are read-only.
 */
export class BrandedStruct extends Struct {
  constructor(
    readonly ctorName: string,
    private readonly typeName: string,
    fields: Iterable<[string, Value]>,
  ) {
    super(ctorName, fields);
  }
  override get type() {
    return this.typeName;
  }
  override hashKey(): HashKey {
    return compositeKey('\u0104' + this.ctorName + ':' + [...this.fields.keys()].join(','), [
      ...this.fields.values(),
    ]);
  }
  override noSuchAttr(name: string): EvalError {
    let msg = `${repr(this.ctorName)} struct has no .${name} attribute`;
    const n = nearest(name, this.fields.keys());
    if (n) msg += ` (did you mean .${n}?)`;
    return new EvalError(msg);
  }
}

/** link(url, name): a link shown with a resource. */
export class LinkValue extends BrandedStruct {
  constructor(readonly link: Link) {
    super('link', 'struct', [
      ['url', fromHost(link.url)],
      ['name', fromHost(link.name)],
    ]);
  }
}

export interface ExecActionSpec {
  command: string[];
}
export interface HTTPGetActionSpec {
  host: string;
  port: number;
  /** "http" or "https" (lower case). */
  scheme: string;
  path: string;
}
export interface TCPSocketActionSpec {
  host: string;
  port: number;
}

/** A readiness probe, with Kubernetes' defaults applied to the timing fields left at 0. */
export interface ProbeSpec {
  initialDelaySecs: number;
  timeoutSecs: number;
  periodSecs: number;
  successThreshold: number;
  failureThreshold: number;
  exec?: ExecActionSpec;
  httpGet?: HTTPGetActionSpec;
  tcpSocket?: TCPSocketActionSpec;
}

export class ExecActionValue extends BrandedStruct {
  constructor(
    readonly spec: ExecActionSpec,
    fields: Iterable<[string, Value]>,
  ) {
    super('ExecAction', 'ExecAction', fields);
  }
}

export class HTTPGetActionValue extends BrandedStruct {
  constructor(
    readonly spec: HTTPGetActionSpec,
    fields: Iterable<[string, Value]>,
  ) {
    super('HTTPGetAction', 'HTTPGetAction', fields);
  }
}

export class TCPSocketActionValue extends BrandedStruct {
  constructor(
    readonly spec: TCPSocketActionSpec,
    fields: Iterable<[string, Value]>,
  ) {
    super('TCPSocketAction', 'TCPSocketAction', fields);
  }
}

export class ProbeValue extends BrandedStruct {
  constructor(
    readonly spec: ProbeSpec,
    fields: Iterable<[string, Value]>,
  ) {
    super('Probe', 'Probe', fields);
  }
}

registerGoType('TriggerMode', 'triggermode.TriggerMode');
registerGoType('Probe', 'probe.Probe');
registerGoType('ExecAction', 'probe.ExecAction');
registerGoType('HTTPGetAction', 'probe.HTTPGetAction');
registerGoType('TCPSocketAction', 'probe.TCPSocketAction');

/**
 * Validates a link URL and gives it a scheme when it has none ("localhost:8000"
 * counts as having the scheme "localhost", "example.com/x" becomes
 * "http://example.com/x"), with the messages of Go's url.Parse.
 */
export function linkURL(raw: string): string {
  const wrap = (msg: string) => new Error(`validating URL ${goQuote(raw)}: ${msg}`);
  const parseErr = (msg: string) => wrap(`parse ${goQuote(raw)}: ${msg}`);
  if (raw === '') throw wrap('url empty');
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(raw)) throw parseErr('net/url: invalid control character in URL');
  let scheme = '';
  let rest = raw;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+.-]/.test(c)) {
      if (i === 0) break;
      continue;
    }
    if (c === ':') {
      if (i === 0) throw parseErr('missing protocol scheme');
      scheme = raw.slice(0, i).toLowerCase();
      rest = raw.slice(i + 1);
    }
    break;
  }
  const beforeFragment = rest.split('#')[0];
  const beforeQuery = beforeFragment.split('?')[0];
  if (scheme === '' && !beforeQuery.startsWith('/')) {
    const segment = beforeQuery.split('/')[0];
    if (segment.includes(':')) {
      throw parseErr('first path segment in URL cannot contain colon');
    }
  }
  if (beforeQuery.startsWith('//') && !beforeQuery.startsWith('///')) {
    const authority = beforeQuery.slice(2).split('/')[0];
    const host = authority.slice(authority.lastIndexOf('@') + 1);
    const portStart = host.startsWith('[') ? host.indexOf(']:') + 1 : host.lastIndexOf(':');
    if (portStart > 0) {
      const port = host.slice(portStart);
      if (!/^:[0-9]*$/.test(port)) throw parseErr(`invalid port ${goQuote(port)} after host`);
    }
  }
  if (scheme !== '') return scheme + ':' + rest;
  return rest.startsWith('//') ? 'http:' + rest : 'http://' + rest;
}

// Semantic versions and version ranges with the syntax and messages of the
// blang/semver library that version_settings(constraint=...) is documented
// against: ">=0.13.2", "<0.17.0", ">1.0.0 <2.0.0 || >=3.0.0", "1.2.x", "!=1.0.0".

import { goQuote } from './settings-go.js';

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  /** Prerelease identifiers: numbers or strings. */
  pre: (number | string)[];
  build: string[];
}

const ALPHANUM = /^[0-9A-Za-z-]*$/;
const NUMERIC = /^[0-9]*$/;

function hasLeadingZeroes(s: string): boolean {
  return s.length > 1 && s[0] === '0';
}

function versionNumber(s: string, what: string, title: string): number {
  if (!NUMERIC.test(s) || s === '') {
    throw new Error(`Invalid character(s) found in ${what} number ${goQuote(s)}`);
  }
  if (hasLeadingZeroes(s)) {
    throw new Error(`${title} number must not contain leading zeroes ${goQuote(s)}`);
  }
  return Number(s);
}

function prereleasePart(s: string): number | string {
  if (s === '') throw new Error('Prerelease is empty');
  if (NUMERIC.test(s)) {
    if (hasLeadingZeroes(s)) {
      throw new Error(`Numeric PreRelease version must not contain leading zeroes ${goQuote(s)}`);
    }
    return Number(s);
  }
  if (!ALPHANUM.test(s)) throw new Error(`Invalid character(s) found in prerelease ${goQuote(s)}`);
  return s;
}

/** Parses "MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]"; throws with the library's message. */
export function parseSemVer(s: string): SemVer {
  if (s === '') throw new Error('Version string empty');
  const first = s.indexOf('.');
  const second = first < 0 ? -1 : s.indexOf('.', first + 1);
  if (second < 0) throw new Error('No Major.Minor.Patch elements found');
  const major = versionNumber(s.slice(0, first), 'major', 'Major');
  const minor = versionNumber(s.slice(first + 1, second), 'minor', 'Minor');
  let rest = s.slice(second + 1);
  let build: string[] = [];
  const plus = rest.indexOf('+');
  if (plus >= 0) {
    build = rest.slice(plus + 1).split('.');
    rest = rest.slice(0, plus);
    for (const b of build) {
      if (b === '') throw new Error('Build meta data is empty');
      if (!ALPHANUM.test(b))
        throw new Error(`Invalid character(s) found in build meta data ${goQuote(b)}`);
    }
  }
  let pre: (number | string)[] = [];
  const dash = rest.indexOf('-');
  if (dash >= 0) {
    pre = rest
      .slice(dash + 1)
      .split('.')
      .map(prereleasePart);
    rest = rest.slice(0, dash);
  }
  const patch = versionNumber(rest, 'patch', 'Patch');
  return { major, minor, patch, pre, build };
}

/** -1, 0 or 1 as a is lower than, equal to or higher than b (build metadata is ignored). */
export function compareSemVer(a: SemVer, b: SemVer): number {
  for (const k of ['major', 'minor', 'patch'] as const) {
    if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  }
  if (a.pre.length === 0 && b.pre.length === 0) return 0;
  if (a.pre.length === 0) return 1;
  if (b.pre.length === 0) return -1;
  for (let i = 0; i < a.pre.length && i < b.pre.length; i++) {
    const x = a.pre[i];
    const y = b.pre[i];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : 1;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  if (a.pre.length === b.pre.length) return 0;
  return a.pre.length < b.pre.length ? -1 : 1;
}

export type SemVerRange = (v: SemVer) => boolean;

const COMPARATORS: Record<string, (c: number) => boolean> = {
  '': (c) => c === 0,
  '=': (c) => c === 0,
  '==': (c) => c === 0,
  '!': (c) => c !== 0,
  '!=': (c) => c !== 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
};

/** Splits on spaces, except spaces that follow an operator character, and drops inner spaces. */
function splitAndTrim(s: string): string[] {
  const out: string[] = [];
  let last = 0;
  let lastChar = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === ' ' && !['>', '<', '='].includes(lastChar)) {
      if (last < i - 1) out.push(s.slice(last, i));
      last = i + 1;
    } else if (s[i] !== ' ') {
      lastChar = s[i];
    }
  }
  if (last < s.length - 1) out.push(s.slice(last));
  return out.map((p) => p.replace(/ /g, ''));
}

function splitOr(parts: string[]): string[][] {
  const out: string[][] = [];
  let last = 0;
  parts.forEach((p, i) => {
    if (p !== '||') return;
    if (i === 0) throw new Error("First element in range is '||'");
    out.push(parts.slice(last, i));
    last = i + 1;
  });
  if (last === parts.length) throw new Error("Last element in range is '||'");
  out.push(parts.slice(last));
  return out;
}

function splitComparator(s: string): [string, string] {
  const i = s.search(/[0-9]/);
  if (i < 0) throw new Error(`Could not get version from string: ${goQuote(s)}`);
  return [s.slice(0, i).trim(), s.slice(i)];
}

function bump(v: string, index: 0 | 1): string {
  const parts = v.split('.');
  parts[index] = String(parseInt(parts[index], 10) + 1);
  return parts.join('.');
}

/** Rewrites "1.2.x" and "1.x" comparisons into comparisons of full versions. */
function expandWildcards(parts: string[]): string[] {
  const out: string[] = [];
  for (let part of parts) {
    if (part.includes('x')) {
      const [op, v] = splitComparator(part);
      const segments = v.split('.');
      const wildcard =
        segments[segments.length - 1] !== 'x'
          ? 'none'
          : segments.length === 3
            ? 'patch'
            : segments.length === 2
              ? 'minor'
              : 'none';
      let flat = v.replace('.x.x', '.x').replace('.x', '.0');
      if (flat.split('.').length === 2) flat += '.0';
      let resultOp = '';
      let increment = false;
      switch (op) {
        case '>':
          resultOp = '>=';
          increment = true;
          break;
        case '>=':
          resultOp = '>=';
          break;
        case '<':
          resultOp = '<';
          break;
        case '<=':
          resultOp = '<';
          increment = true;
          break;
        case '':
        case '=':
        case '==':
          out.push('>=' + flat);
          resultOp = '<';
          increment = true;
          break;
        case '!=':
        case '!':
          out.push('<' + flat);
          resultOp = '>=';
          increment = true;
          break;
      }
      let result = flat;
      if (increment) {
        result = wildcard === 'patch' ? bump(flat, 1) : wildcard === 'minor' ? bump(flat, 0) : '';
      }
      part = resultOp + result;
    }
    out.push(part);
  }
  return out;
}

/** Parses a range expression; throws with the library's message when it is invalid. */
export function parseSemVerRange(s: string): SemVerRange {
  const alternatives = splitOr(splitAndTrim(s)).map(expandWildcards);
  const fns = alternatives.map((conj) => {
    const tests = conj.map((part) => {
      const [op, v] = splitComparator(part);
      const cmp = COMPARATORS[op];
      if (cmp === undefined) {
        throw new Error(
          `Could not parse Range ${goQuote(part)}: Could not parse comparator ${goQuote(op)} in ${goQuote(op + v)}`,
        );
      }
      let version: SemVer;
      try {
        version = parseSemVer(v);
      } catch (e) {
        throw new Error(
          `Could not parse Range ${goQuote(part)}: Could not parse version ${goQuote(v)} in ${goQuote(op + v)}: ${(e as Error).message}`,
        );
      }
      return (x: SemVer) => cmp(compareSemVer(x, version));
    });
    return (x: SemVer) => tests.every((t) => t(x));
  });
  return (x) => fns.some((f) => f(x));
}

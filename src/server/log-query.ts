// Query parameters that choose log text: since=N, resources=a,b,
// sources=build,runtime, minLevel=WARN, levels=WARN,ERROR.

import type { LogFilter, LogLevel, LogSource } from '../logs/index.js';
import { HttpError } from './reply.js';

const SOURCES: readonly LogSource[] = ['build', 'runtime', 'tiltfile'];
const LEVELS: readonly LogLevel[] = ['INFO', 'WARN', 'ERROR'];

/** `since` as a checkpoint; 0 when absent. */
export function sinceParam(params: URLSearchParams): number {
  const raw = params.get('since');
  if (raw === null || raw === '') return 0;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new HttpError(400, `since must be a non-negative integer, not ${JSON.stringify(raw)}`);
  }
  return n;
}

function list(params: URLSearchParams, name: string): string[] | undefined {
  const all = params.getAll(name);
  if (all.length === 0) return undefined;
  const items = all.flatMap((v) => v.split(',')).filter((v) => v !== '');
  return items.length > 0 ? items : undefined;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  const v = (name === 'sources' ? value.toLowerCase() : value.toUpperCase()) as T;
  if (!allowed.includes(v)) {
    throw new HttpError(
      400,
      `${name}: unknown value ${JSON.stringify(value)} (one of ${allowed.join(', ')})`,
    );
  }
  return v;
}

export function logFilterParams(params: URLSearchParams): LogFilter {
  const filter: {
    resources?: string[];
    sources?: LogSource[];
    levels?: LogLevel[];
    minLevel?: LogLevel;
  } = {};
  const resources = list(params, 'resources');
  if (resources) filter.resources = resources;
  const sources = list(params, 'sources');
  if (sources) filter.sources = sources.map((s) => oneOf('sources', s, SOURCES));
  const levels = list(params, 'levels');
  if (levels) filter.levels = levels.map((l) => oneOf('levels', l, LEVELS));
  const min = params.get('minLevel');
  if (min) filter.minLevel = oneOf('minLevel', min, LEVELS);
  return filter;
}

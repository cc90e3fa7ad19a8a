// The log store: spans of build and runtime output per resource, checkpoints, budgets.

export { LogStore } from './store.js';
export { StreamRenderer, TILTFILE_RESOURCE, renderSegments, sourcePrefix } from './render.js';
export type { PrefixOptions } from './render.js';
export type { Caps } from './cap.js';
export { LEVEL_RANK } from './types.js';
export type {
  DroppedInfo,
  LogFilter,
  LogInput,
  LogLevel,
  LogListener,
  LogSegment,
  LogSource,
  LogStoreOptions,
  LogStoreStats,
  ResourceStats,
  SinceResult,
} from './types.js';

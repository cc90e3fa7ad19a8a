// Public types of the log store: what writers append and what readers get back.

export type LogLevel = 'INFO' | 'WARN' | 'ERROR';
export type LogSource = 'build' | 'runtime' | 'tiltfile';

/** Severity order, for `minLevel` filters. */
export const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { INFO: 0, WARN: 1, ERROR: 2 };

/** One write. `text` may hold many lines or end mid-line; the next write to the same span continues that line. */
export interface LogInput {
  /** Manifest name; '' for global / Tiltfile-level output. */
  resource: string;
  /** Stream within the resource, e.g. 'build:app:3' or 'pod:app-xyz:web'. */
  spanId: string;
  text: string;
  level?: LogLevel; // default 'INFO'
  source?: LogSource; // default 'runtime'
  time?: number; // ms since the epoch; default the store's clock
}

/** Stands in for lines the store dropped to stay within its budget. */
export interface DroppedInfo {
  /** Newline-terminated lines dropped (a trailing partial line is not counted). */
  readonly lines: number;
  /** Characters of text dropped. */
  readonly chars: number;
  /** Whole spans dropped (0 for a marker in the middle of a span). */
  readonly spans: number;
}

/**
 * A stored piece of a span's text. It holds at most the store's segment size, may hold several
 * lines, and ends in '\n' unless the line continues in the span's next segment.
 */
export interface LogSegment {
  /** Position in the store; strictly increasing in append order. Checkpoints are indexes. */
  readonly index: number;
  readonly resource: string;
  readonly spanId: string;
  readonly level: LogLevel;
  readonly source: LogSource;
  readonly time: number;
  readonly text: string;
  /** Present only on a marker line ("... N lines dropped ..."). */
  readonly dropped?: DroppedInfo;
}

/** Every field narrows; omitted fields match everything. Markers ignore the level filters. */
export interface LogFilter {
  resources?: readonly string[];
  sources?: readonly LogSource[];
  /** Exactly these levels (the web UI's "warn"/"error" buttons). */
  levels?: readonly LogLevel[];
  /** This level or more severe (`tilt logs --level`). */
  minLevel?: LogLevel;
}

export interface SinceResult {
  /** Live segments with index > the checkpoint asked for, in index order. */
  readonly segments: LogSegment[];
  /** Pass this to the next `since` call. */
  readonly checkpoint: number;
  /** Lines the reader will never see, summed over the markers in `segments`. */
  readonly dropped: number;
}

/** Called once per `append` with what it stored (after trimming), if anything matches the filter. */
export type LogListener = (segments: readonly LogSegment[], checkpoint: number) => void;

export interface LogStoreOptions {
  /** Budget per resource, in bytes (characters plus a fixed per-segment overhead). Default 4 MiB. */
  resourceBytes?: number;
  /** Budget for the whole store. Default 32 MiB. */
  totalBytes?: number;
  /**
   * Kept at the start of every span when its middle is trimmed: whole segments reaching this many
   * bytes as the budget counts them. Default 64 KiB; at most resourceBytes / 8.
   */
  headBytes?: number;
  /** Least kept at the end of a span when its middle is trimmed. Default 64 KiB; at most resourceBytes / 8. */
  tailBytes?: number;
  /** Longest stored segment, in characters; longer appends are split, at newlines where possible. Default 16 KiB; at most resourceBytes / 16. */
  segmentBytes?: number;
  /** A trim goes down to this fraction of the budget, so that trims are rare. Default 0.75. */
  trimTo?: number;
  /** Clock for appends without a time. Default Date.now. */
  now?: () => number;
}

export interface ResourceStats {
  readonly name: string;
  readonly bytes: number;
  readonly spans: number;
}

export interface LogStoreStats {
  readonly bytes: number;
  /** Live segments, markers included. */
  readonly segments: number;
  /** Slots in the index (live plus not yet compacted); stays within a constant factor of `segments`. */
  readonly slots: number;
  readonly checkpoint: number;
  readonly resources: readonly ResourceStats[];
}

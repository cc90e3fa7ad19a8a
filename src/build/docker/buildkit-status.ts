// Decoding BuildKit's progress messages. With BuildKit, the engine's build stream carries
// `{"id":"moby.buildkit.trace","aux":"<base64>"}` objects whose payload is a protobuf
// StatusResponse (moby/buildkit, api/services/control/control.proto). Only the fields the
// log needs are declared; protobuf skips the rest.

import protobuf from 'protobufjs';

const SCHEMA = `
syntax = "proto3";
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
message Vertex {
  string digest = 1;
  string name = 3;
  bool cached = 4;
  Timestamp started = 5;
  Timestamp completed = 6;
  string error = 7;
}
message VertexLog { string vertex = 1; int64 stream = 3; bytes msg = 4; }
message StatusResponse { repeated Vertex vertexes = 1; repeated VertexLog logs = 3; }
`;

/** One node of the build graph (an instruction, a context transfer, the export). */
export interface BuildkitVertex {
  digest: string;
  name: string;
  cached: boolean;
  /** Milliseconds since the epoch. */
  started?: number;
  completed?: number;
  error?: string;
}

/** Output of a vertex's process. */
export interface BuildkitLog {
  vertex: string;
  /** 1 for stdout, 2 for stderr. */
  stream: number;
  msg: Uint8Array;
}

export interface BuildkitStatus {
  vertexes: BuildkitVertex[];
  logs: BuildkitLog[];
}

let statusType: protobuf.Type | undefined;

function statusResponse(): protobuf.Type {
  statusType ??= protobuf.parse(SCHEMA).root.lookupType('StatusResponse');
  return statusType;
}

interface RawTimestamp {
  seconds?: number;
  nanos?: number;
}

function millis(t: RawTimestamp | undefined): number | undefined {
  if (!t) return undefined;
  return (t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

/** Decodes the base64 payload of a `moby.buildkit.trace` message. */
export function decodeBuildkitStatus(base64: string): BuildkitStatus {
  const type = statusResponse();
  const raw = type.toObject(type.decode(Buffer.from(base64, 'base64')), { longs: Number }) as {
    vertexes?: {
      digest?: string;
      name?: string;
      cached?: boolean;
      started?: RawTimestamp;
      completed?: RawTimestamp;
      error?: string;
    }[];
    logs?: { vertex?: string; stream?: number; msg?: Uint8Array }[];
  };
  return {
    vertexes: (raw.vertexes ?? []).map((v) => ({
      digest: v.digest ?? '',
      name: v.name ?? '',
      cached: v.cached ?? false,
      started: millis(v.started),
      completed: millis(v.completed),
      error: v.error || undefined,
    })),
    logs: (raw.logs ?? []).map((l) => ({
      vertex: l.vertex ?? '',
      stream: l.stream ?? 1,
      msg: l.msg ?? new Uint8Array(),
    })),
  };
}

/** Encodes a status the way the engine does; used by tests to feed the printer. */
export function encodeBuildkitStatus(status: BuildkitStatus): string {
  const type = statusResponse();
  const ts = (ms: number | undefined) =>
    ms === undefined ? undefined : { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
  const message = type.fromObject({
    vertexes: status.vertexes.map((v) => ({
      digest: v.digest,
      name: v.name,
      cached: v.cached,
      started: ts(v.started),
      completed: ts(v.completed),
      error: v.error ?? '',
    })),
    logs: status.logs.map((l) => ({ vertex: l.vertex, stream: l.stream, msg: l.msg })),
  });
  return Buffer.from(type.encode(message).finish()).toString('base64');
}

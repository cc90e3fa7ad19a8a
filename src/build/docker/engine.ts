// A small typed client for the Docker Engine API: builds (classic builder or BuildKit), tags,
// inspects, pushes and pulls images. Everything that streams (build contexts, progress
// messages) is processed as it arrives, never collected in memory.

import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import Docker from 'dockerode';
import {
  BuildkitOutput,
  ClassicOutput,
  type BuildOutput,
  exitCodeIn,
  formatStatus,
  type JsonMessage,
  pushCapped,
} from './build-output.js';

/** Marks an image as built by tilt. */
export const TILT_BUILT_LABEL = 'dev.tilt.built';
/**
 * The labels every build carries. One label only: the classic builder commits
 * each label as a step of its own (a container per label), so each costs time.
 */
export const TILT_BUILT_LABELS: Readonly<Record<string, string>> = Object.freeze({
  [TILT_BUILT_LABEL]: 'true',
});

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/** How many lines of output a BuildError keeps. */
const TAIL_LINES = 100;
const PING_TIMEOUT_MS = 5000;

// ---------------------------------------------------------------------------
// Errors

export class DockerEngineError extends Error {
  /** HTTP status of the engine's answer, when there was one. */
  readonly statusCode?: number;

  constructor(message: string, options: { statusCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DockerEngineError';
    this.statusCode = options.statusCode;
  }
}

/** The engine does not answer at the configured address. */
export class DockerUnreachableError extends DockerEngineError {
  /** The address tried, as a URL: `unix:///var/run/docker.sock`, `tcp://host:2375`. */
  readonly host: string;
  /** The system error code (ENOENT, ECONNREFUSED, EACCES, ETIMEDOUT...). */
  readonly code?: string;

  constructor(host: string, code: string | undefined, cause?: unknown) {
    super(unreachableMessage(host, code), { cause });
    this.name = 'DockerUnreachableError';
    this.host = host;
    this.code = code;
  }
}

function unreachableMessage(host: string, code: string | undefined): string {
  if (code === 'EACCES' || code === 'EPERM') {
    return (
      `Permission denied while trying to connect to the Docker daemon at ${host}. ` +
      'Add your user to the docker group (or run as root) and tilt will retry.'
    );
  }
  const timedOut = code === 'ETIMEDOUT' ? ' (timed out)' : '';
  return (
    `Cannot connect to the Docker daemon at ${host}${timedOut}. Is the docker daemon running? ` +
    'Start it (e.g. `sudo dockerd` or Docker Desktop) and tilt will retry.'
  );
}

/** A build that the engine reported as failed. */
export class BuildError extends DockerEngineError {
  /** The engine's error message, e.g. `The command '/bin/sh -c false' returned a non-zero code: 1`. */
  readonly engineMessage: string;
  /** Exit code of the failing command, when the engine reported one. */
  readonly code?: number;
  /** The failing step: `Step 3/5 : RUN false` (classic), `[3/5] RUN false` (BuildKit). */
  readonly step?: string;
  /** Output lines of that step (its last 200). */
  readonly stepOutput: readonly string[];
  /** The last lines of the whole build output. */
  readonly tail: readonly string[];

  constructor(
    engineMessage: string,
    details: {
      code?: number;
      step?: string;
      stepOutput?: readonly string[];
      tail?: readonly string[];
      statusCode?: number;
      cause?: unknown;
    } = {},
  ) {
    super(engineMessage, { statusCode: details.statusCode, cause: details.cause });
    this.name = 'BuildError';
    this.engineMessage = engineMessage;
    this.code = details.code;
    this.step = details.step;
    this.stepOutput = details.stepOutput ?? [];
    this.tail = details.tail ?? [];
  }
}

export class PushError extends DockerEngineError {
  readonly ref: string;
  readonly engineMessage: string;

  constructor(ref: string, engineMessage: string, options: { statusCode?: number } = {}) {
    super(`pushing ${ref}: ${engineMessage}`, options);
    this.name = 'PushError';
    this.ref = ref;
    this.engineMessage = engineMessage;
  }
}

export class PullError extends DockerEngineError {
  readonly ref: string;
  readonly engineMessage: string;

  constructor(ref: string, engineMessage: string, options: { statusCode?: number } = {}) {
    super(`pulling ${ref}: ${engineMessage}`, options);
    this.name = 'PullError';
    this.ref = ref;
    this.engineMessage = engineMessage;
  }
}

// ---------------------------------------------------------------------------
// Types

/** `classic` is the engine's original builder; `buildkit` is BuildKit behind the same API. */
export type BuilderKind = 'classic' | 'buildkit';

export interface BuildOptions {
  /** Which builder to use; classic when not given (see DockerEngine.preferredBuilder). */
  builder?: BuilderKind;
  /** Path of the Dockerfile inside the context tar. */
  dockerfile: string;
  buildArgs: Record<string, string>;
  target?: string;
  network?: string;
  /** `host:ip` entries for /etc/hosts of the build containers. */
  extraHosts?: string[];
  platform?: string;
  pull?: boolean;
  cacheFrom?: string[];
  /** Extra labels; the tilt labels (TILT_BUILT_LABELS) are always added. */
  labels?: Record<string, string>;
  /** Tags to give the image when the build succeeds (`repo:tag`). */
  tags?: string[];
  signal?: AbortSignal;
}

export interface BuildResult {
  /** `sha256:` + 64 hex digits. */
  imageId: string;
}

export interface ImageInfo {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  labels: Record<string, string>;
  created: Date;
  size: number;
}

export interface ImageSummary {
  id: string;
  repoTags: string[];
  labels: Record<string, string>;
  created: Date;
  size: number;
}

export interface ListImagesFilter {
  /** `key` or `key=value`; all must match. */
  labels?: string[];
  /** Reference patterns such as `repo` or `repo:tag*`; any may match. */
  references?: string[];
  dangling?: boolean;
}

export interface RegistryAuth {
  username?: string;
  password?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

export interface PushResult {
  tag?: string;
  /** Manifest digest in the registry, `sha256:...`. */
  digest?: string;
  size?: number;
}

export interface EngineVersion {
  version: string;
  apiVersion: string;
  os: string;
  arch: string;
}

// ---------------------------------------------------------------------------
// Connecting

interface Endpoint {
  /** Display form of the address, used in messages. */
  host: string;
  options: Docker.DockerOptions;
}

function resolveEndpoint(env: NodeJS.ProcessEnv): Endpoint {
  const raw = (env.DOCKER_HOST ?? '').trim();
  // Every connection field is set explicitly, so that dockerode's own reading of
  // process.env never mixes with the environment given here.
  const base: Docker.DockerOptions = {
    socketPath: undefined,
    host: undefined,
    port: undefined,
    protocol: undefined,
    ca: undefined,
    cert: undefined,
    key: undefined,
    timeout: undefined,
    version: apiVersion(env.DOCKER_API_VERSION),
  };
  if (raw === '' || raw.startsWith('unix://')) {
    const socketPath = raw.slice('unix://'.length) || DEFAULT_DOCKER_SOCKET;
    return { host: `unix://${socketPath}`, options: { ...base, socketPath } };
  }
  const withScheme = raw.includes('://') ? raw : `tcp://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new DockerEngineError(
      `DOCKER_HOST ${JSON.stringify(raw)} is not a valid address (expected unix:///path or tcp://host:port)`,
    );
  }
  if (!['tcp:', 'http:', 'https:'].includes(url.protocol)) {
    throw new DockerEngineError(
      `DOCKER_HOST ${raw} is not supported: use a unix:// socket or a tcp:// address`,
    );
  }
  const certPath = env.DOCKER_CERT_PATH ?? '';
  const tls = url.protocol === 'https:' || (env.DOCKER_TLS_VERIFY ?? '') !== '' || certPath !== '';
  const port = url.port || (tls ? '2376' : '2375');
  const options: Docker.DockerOptions = {
    ...base,
    host: url.hostname,
    port,
    protocol: tls ? 'https' : 'http',
  };
  if (certPath !== '') {
    options.ca = fs.readFileSync(path.join(certPath, 'ca.pem'));
    options.cert = fs.readFileSync(path.join(certPath, 'cert.pem'));
    options.key = fs.readFileSync(path.join(certPath, 'key.pem'));
  }
  const scheme = url.protocol === 'https:' ? 'https' : 'tcp';
  return { host: `${scheme}://${url.hostname}:${port}`, options };
}

function apiVersion(value: string | undefined): string | undefined {
  const v = (value ?? '').trim();
  if (v === '') return undefined;
  return v.startsWith('v') ? v : `v${v}`;
}

/**
 * Connects to the engine named by DOCKER_HOST (`unix:///path`, `tcp://host:port`), or to
 * /var/run/docker.sock. Nothing is sent until the first call; use ping() to check.
 * DOCKER_API_VERSION pins the API version; without it requests go to the unversioned
 * paths, which the engine serves at its own (highest) version.
 */
export function connectDocker(env: NodeJS.ProcessEnv = process.env): DockerEngine {
  const endpoint = resolveEndpoint(env);
  return new DockerEngine(new Docker(endpoint.options), endpoint.host);
}

// ---------------------------------------------------------------------------
// The client

export class DockerEngine {
  private preferred: Promise<BuilderKind> | undefined;

  constructor(
    /** The underlying dockerode client, for calls this class does not cover. */
    readonly docker: Docker,
    /** The engine's address, as shown in messages. */
    readonly host: string,
  ) {}

  /** Resolves when the engine answers; otherwise rejects with DockerUnreachableError. */
  async ping(timeoutMs = PING_TIMEOUT_MS): Promise<void> {
    const docker = this.docker as unknown as {
      ping(opts: { abortSignal?: AbortSignal }): Promise<unknown>;
    };
    try {
      await docker.ping({ abortSignal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      if (isAbort(err)) throw new DockerUnreachableError(this.host, 'ETIMEDOUT', err);
      throw this.translate(err);
    }
  }

  async version(): Promise<EngineVersion> {
    try {
      const v = await this.docker.version();
      return { version: v.Version, apiVersion: v.ApiVersion, os: v.Os, arch: v.Arch };
    } catch (err) {
      throw this.translate(err);
    }
  }

  /**
   * Which builder build() should use when the caller has no preference: DOCKER_BUILDKIT
   * (`1`/`0`) when set, otherwise BuildKit on a Linux engine that offers it (API 1.39+).
   */
  async preferredBuilder(env: NodeJS.ProcessEnv = process.env): Promise<BuilderKind> {
    const flag = (env.DOCKER_BUILDKIT ?? '').trim();
    if (flag !== '') return /^(1|true)$/i.test(flag) ? 'buildkit' : 'classic';
    this.preferred ??= this.version().then((v) =>
      v.os === 'linux' && apiAtLeast(v.apiVersion, 1, 39) ? 'buildkit' : 'classic',
    );
    try {
      return await this.preferred;
    } catch (err) {
      this.preferred = undefined;
      throw err;
    }
  }

  /**
   * Builds an image from a context tar, which is streamed to the engine as it is read, with
   * the classic builder unless opts.builder asks for BuildKit. Each line of build output
   * goes to onLine, without its newline. Rejects with BuildError when the build fails.
   */
  async build(
    tar: Readable,
    opts: BuildOptions,
    onLine: (line: string) => void,
  ): Promise<BuildResult> {
    opts.signal?.throwIfAborted();

    const buildkit = opts.builder === 'buildkit';
    const query: Record<string, unknown> = {
      dockerfile: opts.dockerfile,
      buildargs: opts.buildArgs,
      labels: { ...opts.labels, ...TILT_BUILT_LABELS },
      rm: true,
      forcerm: true,
      version: buildkit ? '2' : '1',
    };
    if (opts.target) query.target = opts.target;
    if (opts.network) query.networkmode = opts.network;
    if (opts.extraHosts && opts.extraHosts.length > 0) query.extrahosts = opts.extraHosts;
    if (opts.platform) query.platform = opts.platform;
    if (opts.pull) query.pull = true;
    if (opts.cacheFrom && opts.cacheFrom.length > 0) query.cachefrom = opts.cacheFrom;
    if (opts.tags && opts.tags.length > 0) query.t = opts.tags;
    if (opts.signal) query.abortSignal = opts.signal;

    let contextError: unknown;
    const onContextError = (err: unknown) => {
      contextError ??= err;
    };
    tar.on('error', onContextError);
    const releaseContext = () => {
      tar.off('error', onContextError);
      if (!tar.readableEnded && !tar.destroyed) tar.destroy();
    };

    let res: Readable;
    try {
      res = (await this.docker.buildImage(
        tar as NodeJS.ReadableStream,
        query as Docker.ImageBuildOptions,
      )) as Readable;
    } catch (err) {
      releaseContext();
      if (contextError !== undefined) throw contextError;
      if (opts.signal?.aborted) throw abortReason(opts.signal);
      if (isUnreachable(err)) throw this.translate(err);
      const { message, statusCode } = engineErrorMessage(err);
      throw new BuildError(message, { statusCode, cause: err });
    }

    const tail: string[] = [];
    let callbackError: { err: unknown } | undefined;
    const emit = (line: string) => {
      pushCapped(tail, line, TAIL_LINES);
      try {
        onLine(line);
      } catch (err) {
        callbackError = { err };
        throw err;
      }
    };
    const output: BuildOutput = buildkit ? new BuildkitOutput(emit) : new ClassicOutput(emit);

    const onAbort = () => res.destroy(abortReason(opts.signal));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let failure: { message: string; code?: number } | undefined;
    try {
      for await (const msg of jsonMessages(res)) {
        if (msg.error !== undefined || msg.errorDetail !== undefined) {
          const message = msg.errorDetail?.message || msg.error || 'unknown build error';
          failure = { message, code: msg.errorDetail?.code ?? exitCodeIn(message) };
        } else {
          output.message(msg);
        }
      }
      output.end();
    } catch (err) {
      if (callbackError) throw callbackError.err;
      if (opts.signal?.aborted) throw abortReason(opts.signal);
      if (contextError !== undefined) throw contextError;
      if (isUnreachable(err)) throw this.translate(err);
      throw new BuildError(`reading build output: ${errorText(err)}`, {
        ...output.step(),
        tail,
        cause: err,
      });
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      if (!res.readableEnded) res.destroy();
      releaseContext();
    }

    if (failure)
      throw new BuildError(failure.message, { code: failure.code, ...output.step(), tail });
    let imageId = output.imageId;
    if (!imageId && output.shortId) imageId = (await this.inspect(output.shortId))?.id;
    if (!imageId) {
      throw new BuildError('the engine did not report an image ID for the build', {
        ...output.step(),
        tail,
      });
    }
    return { imageId };
  }

  /** Gives an image (by ID or reference) the name `repo:tag`. */
  async tag(imageId: string, repo: string, tag: string): Promise<void> {
    try {
      await this.docker.getImage(imageId).tag({ repo, tag });
    } catch (err) {
      throw this.translate(err);
    }
  }

  /** The image with this ID or reference, or undefined when the engine has none. */
  async inspect(ref: string): Promise<ImageInfo | undefined> {
    let info: Docker.ImageInspectInfo;
    try {
      info = await this.docker.getImage(ref).inspect();
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw this.translate(err);
    }
    return {
      id: info.Id,
      repoTags: info.RepoTags ?? [],
      repoDigests: info.RepoDigests ?? [],
      labels: info.Config?.Labels ?? {},
      created: new Date(info.Created),
      size: info.Size,
    };
  }

  async imageExists(ref: string): Promise<boolean> {
    return (await this.inspect(ref)) !== undefined;
  }

  async listImages(filter: ListImagesFilter = {}): Promise<ImageSummary[]> {
    const filters: Record<string, string[]> = {};
    if (filter.labels?.length) filters.label = filter.labels;
    if (filter.references?.length) filters.reference = filter.references;
    if (filter.dangling !== undefined) filters.dangling = [String(filter.dangling)];
    try {
      const images = await this.docker.listImages({ filters });
      return images.map((img) => ({
        id: img.Id,
        repoTags: (img.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
        labels: img.Labels ?? {},
        created: new Date(img.Created * 1000),
        size: img.Size,
      }));
    } catch (err) {
      throw this.translate(err);
    }
  }

  /**
   * Pushes `repo:tag` to its registry. Registries on 127.0.0.1/localhost work over plain
   * HTTP with the engine's defaults. Progress goes to onLine, one line per layer change.
   */
  async push(
    ref: string,
    onLine: (line: string) => void,
    auth: RegistryAuth = {},
    signal?: AbortSignal,
  ): Promise<PushResult> {
    signal?.throwIfAborted();
    const { repo, tag } = splitRef(ref);
    let res: Readable;
    try {
      const opts: Docker.ImagePushOptions = { authconfig: auth as Docker.AuthConfig };
      if (tag) opts.tag = tag;
      if (signal) opts.abortSignal = signal;
      res = (await this.docker.getImage(repo).push(opts)) as Readable;
    } catch (err) {
      if (signal?.aborted) throw abortReason(signal);
      if (isUnreachable(err)) throw this.translate(err);
      const { message, statusCode } = engineErrorMessage(err);
      throw new PushError(ref, message, { statusCode });
    }
    const result: PushResult = {};
    const failure = await this.followProgress(res, onLine, signal, (msg) => {
      if (typeof msg.aux === 'object' && msg.aux.Digest) {
        result.digest = msg.aux.Digest;
        result.tag = msg.aux.Tag;
        result.size = msg.aux.Size;
      }
    });
    if (failure !== undefined) throw new PushError(ref, failure);
    return result;
  }

  /** Pulls `repo:tag` (or `repo@digest`) from its registry. */
  async pull(
    ref: string,
    onLine: (line: string) => void = () => {},
    auth: RegistryAuth = {},
    signal?: AbortSignal,
  ): Promise<void> {
    signal?.throwIfAborted();
    const { repo, tag, digest } = splitRef(ref);
    let res: Readable;
    try {
      const opts: Record<string, unknown> = { fromImage: repo, tag: digest ?? tag ?? 'latest' };
      if (signal) opts.abortSignal = signal;
      const docker = this.docker as unknown as {
        createImage(auth: object, opts: object): Promise<NodeJS.ReadableStream>;
      };
      res = (await docker.createImage(auth, opts)) as Readable;
    } catch (err) {
      if (signal?.aborted) throw abortReason(signal);
      if (isUnreachable(err)) throw this.translate(err);
      const { message, statusCode } = engineErrorMessage(err);
      throw new PullError(ref, message, { statusCode });
    }
    const failure = await this.followProgress(res, onLine, signal);
    if (failure !== undefined) throw new PullError(ref, failure);
  }

  /**
   * Creates an image from a root filesystem tar (`docker import`), streamed as it is read.
   * `changes` are Dockerfile instructions applied to the image config (ENV, CMD, LABEL...).
   */
  async importImage(
    tar: Readable,
    ref: string,
    opts: { changes?: string[]; message?: string; signal?: AbortSignal } = {},
  ): Promise<BuildResult> {
    const { repo, tag } = splitRef(ref);
    const query: Record<string, unknown> = { repo, tag: tag ?? 'latest' };
    if (opts.changes?.length) query.changes = opts.changes;
    if (opts.message) query.message = opts.message;
    if (opts.signal) query.abortSignal = opts.signal;
    let res: Readable;
    try {
      res = (await this.docker.importImage(tar as NodeJS.ReadableStream, query)) as Readable;
    } catch (err) {
      if (opts.signal?.aborted) throw abortReason(opts.signal);
      throw this.translate(err);
    }
    let imageId: string | undefined;
    const failure = await this.followProgress(
      res,
      () => {},
      opts.signal,
      (msg) => {
        if (msg.status && /^sha256:[0-9a-f]{64}$/.test(msg.status)) imageId = msg.status;
      },
    );
    if (failure !== undefined) throw new DockerEngineError(`importing ${ref}: ${failure}`);
    imageId ??= (await this.inspect(ref))?.id;
    if (!imageId) throw new DockerEngineError(`importing ${ref}: no image ID reported`);
    return { imageId };
  }

  /**
   * Removes an image by ID or reference. A reference removes just that name while others
   * remain. Returns false when there was no such image.
   */
  async removeImage(ref: string, opts: { force?: boolean } = {}): Promise<boolean> {
    try {
      await this.docker.getImage(ref).remove({ force: opts.force ?? false });
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw this.translate(err);
    }
  }

  /**
   * Reads a progress stream (push, pull, import) to its end, passing lines to onLine.
   * Returns the engine's error message if it reported one.
   */
  private async followProgress(
    res: Readable,
    onLine: (line: string) => void,
    signal: AbortSignal | undefined,
    onMessage?: (msg: JsonMessage) => void,
  ): Promise<string | undefined> {
    const lastStatus = new Map<string, string>();
    let failure: string | undefined;
    const onAbort = () => res.destroy(abortReason(signal));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const msg of jsonMessages(res)) {
        onMessage?.(msg);
        if (msg.error !== undefined || msg.errorDetail !== undefined) {
          failure = msg.errorDetail?.message || msg.error || 'unknown error';
          onLine(failure);
          continue;
        }
        if (typeof msg.stream === 'string') {
          for (const line of msg.stream.replace(/\r?\n$/, '').split('\n')) onLine(line);
        }
        if (typeof msg.status !== 'string') continue;
        if (msg.id) {
          // Layer progress: one line per change of a layer's status.
          if (lastStatus.get(msg.id) === msg.status) continue;
          lastStatus.set(msg.id, msg.status);
        }
        onLine(formatStatus(msg));
      }
    } catch (err) {
      if (signal?.aborted) throw abortReason(signal);
      throw this.translate(err);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!res.readableEnded) res.destroy();
    }
    return failure;
  }

  /** Turns a dockerode failure into a typed error. */
  private translate(err: unknown): Error {
    if (isUnreachable(err)) {
      return new DockerUnreachableError(this.host, (err as { code?: string }).code, err);
    }
    if (err instanceof DockerEngineError || isAbort(err)) return err as Error;
    const { message, statusCode } = engineErrorMessage(err);
    return new DockerEngineError(message, { statusCode, cause: err });
  }
}

// ---------------------------------------------------------------------------
// Helpers

const UNREACHABLE_CODES = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'EACCES',
  'EPERM',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** A connection failure to the engine itself, as opposed to an answer from it. */
export function isUnreachable(err: unknown): boolean {
  const e = err as { code?: unknown; syscall?: unknown; statusCode?: unknown } | null;
  if (!e || typeof e.code !== 'string' || e.statusCode !== undefined) return false;
  return UNREACHABLE_CODES.has(e.code) && (e.syscall === 'connect' || e.syscall === 'getaddrinfo');
}

function isAbort(err: unknown): boolean {
  return (err as { name?: unknown } | null)?.name === 'AbortError';
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  const err = new Error('This operation was aborted', { cause: reason });
  err.name = 'AbortError';
  return err;
}

function statusOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The engine's own message from a dockerode error: dockerode reports HTTP failures as
 * `(HTTP code 404) no such image - <engine message> `.
 */
function engineErrorMessage(err: unknown): { message: string; statusCode?: number } {
  const statusCode = statusOf(err);
  const json = (err as { json?: unknown } | null)?.json;
  if (
    json &&
    typeof json === 'object' &&
    typeof (json as { message?: unknown }).message === 'string'
  ) {
    return { message: (json as { message: string }).message.trim(), statusCode };
  }
  const text = errorText(err);
  const m = /^\(HTTP code \d+\) [^-]*- ([\s\S]*)$/.exec(text);
  return { message: (m ? m[1] : text).trim(), statusCode };
}

/** Whether an API version such as `1.41` is at least major.minor. */
function apiAtLeast(version: string, major: number, minor: number): boolean {
  const [maj, min] = version.split('.').map(Number);
  return maj! > major || (maj === major && min! >= minor);
}

/** Splits `repo[:tag][@digest]`, keeping a registry's `host:port` in the repo. */
export function splitRef(ref: string): { repo: string; tag?: string; digest?: string } {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    return { repo: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
  }
  return { repo: rest, digest };
}

/** Parses the engine's newline-separated JSON messages as they arrive. */
async function* jsonMessages(stream: Readable): AsyncGenerator<JsonMessage> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  for await (const chunk of stream) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    let start = 0;
    let nl: number;
    while ((nl = pending.indexOf('\n', start)) >= 0) {
      const line = pending.slice(start, nl).trim();
      start = nl + 1;
      if (line !== '') yield parseMessage(line);
    }
    pending = pending.slice(start);
  }
  pending = (pending + decoder.end()).trim();
  if (pending !== '') yield parseMessage(pending);
}

function parseMessage(line: string): JsonMessage {
  try {
    const value: unknown = JSON.parse(line);
    if (value && typeof value === 'object') return value as JsonMessage;
  } catch {
    // not JSON: plain output
  }
  return { stream: line + '\n' };
}

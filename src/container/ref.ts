// Docker image references (the distribution reference grammar), Tilt's image selectors, and the
// registry rewriting that default_registry() asks for.

export class RefError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefError';
  }
}

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';
const NAME_TOTAL_LENGTH_MAX = 255;

// The grammar, piece by piece. Dashes are `-+` rather than `-*` so that no input can make the
// pattern backtrack exponentially; the language is the same.
const ALPHANUMERIC = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|-+)';
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|${IPV6})(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const REFERENCE_RE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const TAG_RE = new RegExp(`^${TAG}$`);
const IDENTIFIER_RE = /^[a-f0-9]{64}$/;
const DIGEST_SIZES: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** A parsed, normalized image reference: `domain/path[:tag][@digest]`. */
export class ParsedRef {
  constructor(
    /** Registry host, with port if any: `docker.io`, `localhost:5000`, `gcr.io`. */
    readonly domain: string,
    /** Repository path within the registry: `library/busybox`, `me/app`. */
    readonly path: string,
    readonly tag?: string,
    readonly digest?: string,
  ) {}

  /** The full repository name, without tag or digest. */
  get name(): string {
    return `${this.domain}/${this.path}`;
  }

  /** The normalized full form, e.g. `docker.io/library/foo:1.0`. */
  toString(): string {
    return this.name + (this.tag ? `:${this.tag}` : '') + (this.digest ? `@${this.digest}` : '');
  }
}

/**
 * Parses a reference the way `docker` reads an image name: `foo` means
 * `docker.io/library/foo`, `me/foo` means `docker.io/me/foo`.
 */
export function parseRef(s: string): ParsedRef {
  if (IDENTIFIER_RE.test(s)) {
    throw new RefError(
      `invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`,
    );
  }
  const [domain, remainder] = splitDockerDomain(s);
  const colon = remainder.indexOf(':');
  const remoteName = colon < 0 ? remainder : remainder.slice(0, colon);
  if (remoteName.toLowerCase() !== remoteName) {
    throw new RefError('invalid reference format: repository name must be lowercase');
  }
  const { name, tag, digest } = parseFull(`${domain}/${remainder}`);
  return new ParsedRef(domain, name.slice(domain.length + 1), tag, digest);
}

/** Parses a reference that must already be in normalized form (`docker.io/library/foo`). */
export function parseCanonicalRef(s: string): ParsedRef {
  const ref = parseRef(s);
  if (ref.toString() !== s) {
    throw new RefError('repository name must be canonical');
  }
  return ref;
}

/** The short form `docker` prints: `docker.io/library/foo` → `foo`, `docker.io/me/foo` → `me/foo`. */
export function familiarName(ref: ParsedRef): string {
  if (ref.domain !== DEFAULT_DOMAIN) return ref.name;
  const rest = ref.path.startsWith(OFFICIAL_PREFIX) ? ref.path.slice(OFFICIAL_PREFIX.length) : '';
  return rest && !rest.includes('/') ? rest : ref.path;
}

/** The familiar name with the tag and digest. */
export function familiarString(ref: ParsedRef): string {
  return familiarName(ref) + (ref.tag ? `:${ref.tag}` : '') + (ref.digest ? `@${ref.digest}` : '');
}

/** The reference without tag or digest. */
export function nameOnly(ref: ParsedRef): ParsedRef {
  return new ParsedRef(ref.domain, ref.path);
}

/** The reference with `tag` (keeping any digest). */
export function withTag(ref: ParsedRef, tag: string): ParsedRef {
  if (!TAG_RE.test(tag)) throw new RefError('invalid tag format');
  return new ParsedRef(ref.domain, ref.path, tag, ref.digest);
}

function splitDockerDomain(name: string): [string, string] {
  const i = name.indexOf('/');
  let domain: string;
  let remainder: string;
  const first = name.slice(0, i);
  // The first component is a host only if it looks like one: has a dot or a port, is localhost,
  // or has upper-case letters (which a path component cannot).
  if (i < 0 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  } else {
    domain = first;
    remainder = name.slice(i + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/'))
    remainder = OFFICIAL_PREFIX + remainder;
  return [domain, remainder];
}

/** Checks `name[:tag][@digest]` against the grammar and splits it. */
function parseFull(s: string): { name: string; tag?: string; digest?: string } {
  const m = REFERENCE_RE.exec(s);
  if (!m) {
    if (s === '') throw new RefError('repository name must have at least one component');
    if (REFERENCE_RE.test(s.toLowerCase())) {
      throw new RefError('repository name must be lowercase');
    }
    throw new RefError('invalid reference format');
  }
  const [, name, tag, digest] = m;
  if (name.length > NAME_TOTAL_LENGTH_MAX) {
    throw new RefError(`repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  if (digest !== undefined) validateDigest(digest);
  return { name, tag, digest };
}

function validateDigest(digest: string): void {
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon);
  const encoded = digest.slice(colon + 1);
  const size = DIGEST_SIZES[algorithm];
  if (size === undefined) throw new RefError('unsupported digest algorithm');
  if (encoded.length !== size) throw new RefError('invalid checksum digest length');
  if (!/^[a-f0-9]+$/.test(encoded)) throw new RefError('invalid checksum digest format');
}

// Image selectors: how a docker_build ref finds the images it replaces in workloads.

export interface RefSelector {
  ref: ParsedRef;
  /** A selector with a tag matches only that tag; without one, any image of the same name. */
  exact: boolean;
}

/** The selector for a ref as written in a Tiltfile. */
export function refSelector(ref: ParsedRef | string): RefSelector {
  const r = typeof ref === 'string' ? parseRef(ref) : ref;
  return { ref: r, exact: r.tag !== undefined };
}

/** A selector that matches by name, whatever the tag. */
export function nameSelector(ref: ParsedRef | string): RefSelector {
  const r = typeof ref === 'string' ? parseRef(ref) : ref;
  return { ref: nameOnly(r), exact: false };
}

export function selectorMatches(sel: RefSelector, candidate: ParsedRef | string): boolean {
  let c: ParsedRef;
  try {
    c = typeof candidate === 'string' ? parseRef(candidate) : candidate;
  } catch (e) {
    if (e instanceof RefError) return false;
    throw e;
  }
  return sel.exact ? c.toString() === sel.ref.toString() : c.name === sel.ref.name;
}

// Registry rewriting for default_registry().

/** `/`, `:` and `@` become `_`, so a whole image name fits in one path component. */
export function escapeName(s: string): string {
  return s.replace(/[/:@]/g, '_');
}

/**
 * The name an image is pushed under with registry `host`: `<host>/<escaped familiar name>`, or
 * `<host>/<singleName>` for every image when singleName is set (registries such as ECR where each
 * repository must be created up front). A name already under `host/` is left as is. The result
 * has no tag; see registryTag.
 */
export function replaceRegistry(host: string, ref: ParsedRef, singleName = ''): ParsedRef {
  if (host === '') return nameOnly(ref);
  const familiar = familiarName(ref);
  if (familiar.startsWith(`${host}/`)) return nameOnly(ref);
  const target = singleName ? `${host}/${singleName}` : `${host}/${escapeName(familiar)}`;
  try {
    return parseCanonicalRef(target);
  } catch (e) {
    if (e instanceof RefError) {
      throw new RefError(
        `Error parsing ${target} after applying default registry ${host}: ${e.message}`,
      );
    }
    throw e;
  }
}

/**
 * The tag to push `ref` with. With singleName every image shares one repository, so the tag
 * carries the image's own name: `<escaped last path component>-<tag>`.
 */
export function registryTag(ref: ParsedRef, tag: string, singleName = ''): string {
  if (!singleName) return tag;
  const familiar = familiarName(ref);
  return `${escapeName(familiar.slice(familiar.lastIndexOf('/') + 1))}-${tag}`;
}

/** Checks a default_registry host (or host_from_cluster) as Tilt does. */
export function validateRegistryHost(host: string): void {
  parseCanonicalRef(`${host}/fake`);
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  escapeName,
  familiarName,
  familiarString,
  nameOnly,
  nameSelector,
  parseCanonicalRef,
  parseRef,
  ParsedRef,
  RefError,
  refSelector,
  registryTag,
  replaceRegistry,
  selectorMatches,
  validateRegistryHost,
  withTag,
} from '../../src/container/ref.js';

const SHA = 'sha256:' + 'a'.repeat(64);

describe('parseRef', () => {
  it.each([
    ['foo', 'docker.io', 'library/foo', undefined, undefined],
    ['foo:1.0', 'docker.io', 'library/foo', '1.0', undefined],
    ['me/app', 'docker.io', 'me/app', undefined, undefined],
    ['docker.io/foo', 'docker.io', 'library/foo', undefined, undefined],
    ['index.docker.io/me/app:x', 'docker.io', 'me/app', 'x', undefined],
    ['localhost/app', 'localhost', 'app', undefined, undefined],
    ['localhost:5000/x:tag', 'localhost:5000', 'x', 'tag', undefined],
    ['gcr.io/proj/sub/img', 'gcr.io', 'proj/sub/img', undefined, undefined],
    ['registry:5000/a_b__c-d.e---f', 'registry:5000', 'a_b__c-d.e---f', undefined, undefined],
    ['[::1]:5000/app', '[::1]:5000', 'app', undefined, undefined],
    [`foo@${SHA}`, 'docker.io', 'library/foo', undefined, SHA],
    [`foo:v1@${SHA}`, 'docker.io', 'library/foo', 'v1', SHA],
    ['Registry.Example.com/app', 'Registry.Example.com', 'app', undefined, undefined],
  ])('%s', (s, domain, path, tag, digest) => {
    const ref = parseRef(s);
    expect(ref).toBeInstanceOf(ParsedRef);
    expect([ref.domain, ref.path, ref.tag, ref.digest]).toEqual([domain, path, tag, digest]);
    expect(ref.name).toBe(`${domain}/${path}`);
  });

  it('prints the normalized full form', () => {
    expect(String(parseRef('foo'))).toBe('docker.io/library/foo');
    expect(String(parseRef('foo:1'))).toBe('docker.io/library/foo:1');
    expect(`${parseRef(`me/x:t@${SHA}`)}`).toBe(`docker.io/me/x:t@${SHA}`);
    expect(String(parseRef('localhost:5000/x'))).toBe('localhost:5000/x');
  });

  it.each([
    ['', 'invalid reference format'],
    ['Foo', 'invalid reference format: repository name must be lowercase'],
    ['me/Foo:tag', 'invalid reference format: repository name must be lowercase'],
    ['localhost:5000/Foo', 'invalid reference format: repository name must be lowercase'],
    ['foo:', 'invalid reference format'],
    [':tag', 'invalid reference format'],
    ['foo bar', 'invalid reference format'],
    ['foo//bar', 'invalid reference format'],
    ['-foo', 'invalid reference format'],
    ['foo_', 'invalid reference format'],
    ['foo:' + 'x'.repeat(129), 'invalid reference format'],
    ['foo@sha256:abc', 'invalid reference format'],
    [
      'a'.repeat(64),
      `invalid repository name (${'a'.repeat(64)}), cannot specify 64-byte hexadecimal strings`,
    ],
    ['foo@sha256:' + 'a'.repeat(40), 'invalid checksum digest length'],
    ['foo@md5:' + 'a'.repeat(32), 'unsupported digest algorithm'],
    ['foo@sha256:' + 'A'.repeat(64), 'invalid checksum digest format'],
    ['x/' + 'a'.repeat(250), 'repository name must not be more than 255 characters'],
  ])('rejects %j', (s, message) => {
    expect(() => parseRef(s)).toThrow(RefError);
    expect(() => parseRef(s)).toThrow(message);
  });

  it('does not take exponential time on long invalid names', () => {
    const start = Date.now();
    expect(() => parseRef('a'.repeat(5000) + '!')).toThrow(RefError);
    expect(() => parseRef('a-'.repeat(2000) + '-!')).toThrow(RefError);
    expect(Date.now() - start).toBeLessThan(1000);
  });

  it('round-trips through its string form', () => {
    const component = fc.stringMatching(/^[a-z0-9]+(?:[._-][a-z0-9]+)?$/);
    const refArb = fc.record({
      domain: fc.constantFrom(
        '',
        'localhost:5000/',
        'gcr.io/',
        'docker.io/',
        'my-reg.example.com/',
      ),
      path: fc.array(component, { minLength: 1, maxLength: 3 }),
      tag: fc.option(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,10}$/), { nil: undefined }),
    });
    fc.assert(
      fc.property(refArb, ({ domain, path, tag }) => {
        // Without a domain, a first component with a dot (or localhost) would be read as one.
        fc.pre(domain !== '' || (!path[0].includes('.') && path[0] !== 'localhost'));
        const s = domain + path.join('/') + (tag ? `:${tag}` : '');
        const ref = parseRef(s);
        expect(parseRef(String(ref))).toEqual(ref);
        // Like docker's, the familiar form is ambiguous when its first component looks like a host.
        const first = familiarName(ref).split('/')[0];
        if (!/[.:]/.test(first) && first !== 'localhost') {
          expect(parseRef(familiarString(ref))).toEqual(ref);
        }
      }),
    );
  });
});

describe('familiar forms', () => {
  it.each([
    ['docker.io/library/foo', 'foo'],
    ['docker.io/me/foo', 'me/foo'],
    ['docker.io/library/foo/bar', 'library/foo/bar'],
    ['gcr.io/library/foo', 'gcr.io/library/foo'],
    ['localhost:5000/foo', 'localhost:5000/foo'],
  ])('%s is %s', (s, familiar) => {
    expect(familiarName(parseRef(s))).toBe(familiar);
  });

  it('keeps tag and digest in the familiar string', () => {
    expect(familiarString(parseRef('docker.io/library/foo:1'))).toBe('foo:1');
    expect(familiarString(parseRef(`me/x@${SHA}`))).toBe(`me/x@${SHA}`);
  });

  it('strips and sets tags', () => {
    const ref = parseRef(`foo:1@${SHA}`);
    expect(String(nameOnly(ref))).toBe('docker.io/library/foo');
    expect(String(withTag(parseRef('foo:1'), 'tilt-0123456789abcdef'))).toBe(
      'docker.io/library/foo:tilt-0123456789abcdef',
    );
    expect(() => withTag(ref, 'bad tag')).toThrow('invalid tag format');
  });

  it('parses canonical names only in canonical form', () => {
    expect(String(parseCanonicalRef('docker.io/library/foo:1'))).toBe('docker.io/library/foo:1');
    expect(() => parseCanonicalRef('foo')).toThrow('repository name must be canonical');
    expect(() => parseCanonicalRef('me/foo')).toThrow('repository name must be canonical');
  });
});

describe('image selectors', () => {
  it('matches any tag of the name when the selector has no tag', () => {
    const sel = refSelector('foo');
    expect(sel.exact).toBe(false);
    expect(selectorMatches(sel, 'foo')).toBe(true);
    expect(selectorMatches(sel, 'foo:1.0')).toBe(true);
    expect(selectorMatches(sel, 'docker.io/library/foo:latest')).toBe(true);
    expect(selectorMatches(sel, `foo@${SHA}`)).toBe(true);
    expect(selectorMatches(sel, 'me/foo')).toBe(false);
    expect(selectorMatches(sel, 'foobar')).toBe(false);
    expect(selectorMatches(sel, 'gcr.io/foo')).toBe(false);
  });

  it('matches exactly when the selector has a tag', () => {
    const sel = refSelector(parseRef('gcr.io/proj/app:v1'));
    expect(sel.exact).toBe(true);
    expect(selectorMatches(sel, 'gcr.io/proj/app:v1')).toBe(true);
    expect(selectorMatches(sel, 'gcr.io/proj/app:v2')).toBe(false);
    expect(selectorMatches(sel, 'gcr.io/proj/app')).toBe(false);
  });

  it('treats untagged and latest as different exact refs', () => {
    expect(selectorMatches(refSelector('foo:latest'), 'foo')).toBe(false);
  });

  it('does not match candidates that are not references', () => {
    expect(selectorMatches(refSelector('foo'), 'Not A Ref')).toBe(false);
  });

  it('can select by name whatever the tag', () => {
    const sel = nameSelector('foo:1');
    expect(sel.exact).toBe(false);
    expect(selectorMatches(sel, 'foo:2')).toBe(true);
  });
});

describe('default registry', () => {
  it('escapes /, : and @', () => {
    expect(escapeName('gcr.io/foo/bar:tag@x')).toBe('gcr.io_foo_bar_tag_x');
  });

  it.each([
    ['myreg.com', 'gcr.io/foo/bar:deadbeef', 'myreg.com/gcr.io_foo_bar'],
    ['myreg.com', 'gcr.io/foo/bar', 'myreg.com/gcr.io_foo_bar'],
    [
      'aws_account_id.dkr.ecr.region.amazonaws.com/bar',
      'gcr.io/baz/foo/bar',
      'aws_account_id.dkr.ecr.region.amazonaws.com/bar/gcr.io_baz_foo_bar',
    ],
    ['gcr.io/foo', 'docker.io/library/busybox', 'gcr.io/foo/busybox'],
    ['gcr.io/foo', 'bar', 'gcr.io/foo/bar'],
    ['gcr.io/foo', 'me/bar', 'gcr.io/foo/me_bar'],
    ['localhost:5000', 'localhost:5001/app', 'localhost:5000/localhost_5001_app'],
    ['localhost:5000', 'localhost:5000/app:1', 'localhost:5000/app'],
    ['', 'gcr.io/foo/bar:1', 'gcr.io/foo/bar'],
  ])('%s with %s pushes to %s', (host, name, expected) => {
    expect(String(replaceRegistry(host, parseRef(name)))).toBe(expected);
  });

  it('puts every image under one name with single_name', () => {
    const host = '123.dkr.ecr.us-east-1.amazonaws.com';
    for (const name of ['gcr.io/foo/bar:1', 'frontend', 'me/backend']) {
      expect(String(replaceRegistry(host, parseRef(name), 'dev-images'))).toBe(
        `${host}/dev-images`,
      );
    }
    expect(registryTag(parseRef('gcr.io/foo/bar:1'), 'tilt-abc', 'dev-images')).toBe(
      'bar-tilt-abc',
    );
    expect(registryTag(parseRef('frontend'), 'tilt-abc', 'dev-images')).toBe('frontend-tilt-abc');
    expect(registryTag(parseRef('frontend'), 'tilt-abc')).toBe('tilt-abc');
  });

  it('leaves names already under the host alone, single_name or not', () => {
    const ref = parseRef('localhost:5000/app');
    expect(String(replaceRegistry('localhost:5000', ref, 'one'))).toBe('localhost:5000/app');
  });

  it('reports a host that does not make a valid reference', () => {
    expect(() => replaceRegistry('myreg', parseRef('app'))).toThrow(
      'Error parsing myreg/app after applying default registry myreg: repository name must be canonical',
    );
    expect(() => validateRegistryHost('invalid')).toThrow('repository name must be canonical');
    expect(() => validateRegistryHost('foo/bar/baz')).toThrow('repository name must be canonical');
    expect(() => validateRegistryHost('localhost:5000')).not.toThrow();
    expect(() => validateRegistryHost('gcr.io/my-project')).not.toThrow();
  });
});

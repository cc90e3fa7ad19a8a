import { describe, expect, it } from 'vitest';
import { StreamRenderer, renderSegments, sourcePrefix } from '../../src/logs/index.js';

describe('sourcePrefix', () => {
  it('right-aligns the name in 13 columns, as tilt up --stream', () => {
    expect(sourcePrefix('fe')).toBe('           fe │ ');
    expect(sourcePrefix('exactly-13-ch')).toBe('exactly-13-ch │ ');
    expect(sourcePrefix('a-name-that-is-too-long')).toBe('a-name-that-… │ ');
  });

  it('leaves global and Tiltfile lines unprefixed', () => {
    expect(sourcePrefix('')).toBe('');
    expect(sourcePrefix('(Tiltfile)')).toBe('');
  });

  it('can left-align and change the width', () => {
    expect(sourcePrefix('app', { align: 'left' })).toBe('app           │ ');
    expect(sourcePrefix('app', { width: 5 })).toBe('  app │ ');
    expect(sourcePrefix('frontend', { width: 5 })).toBe('fron… │ ');
  });

  it('colours a name the same way every time, keeping the alignment', () => {
    const p = sourcePrefix('api', { color: true });
    expect(p.startsWith(' '.repeat(10) + '\u001b[')).toBe(true);
    expect(p.endsWith('mapi\u001b[0m │ ')).toBe(true);
    expect(sourcePrefix('api', { color: true })).toBe(p);
  });

  it('counts a non-BMP character as one column and never cuts it in half', () => {
    expect(sourcePrefix('🚀🚀🚀🚀🚀🚀🚀', { width: 5 })).toBe('🚀🚀🚀🚀… │ ');
  });
});

describe('StreamRenderer', () => {
  const seg = (resource: string, spanId: string, text: string) => ({ resource, spanId, text });

  it('prefixes every line of a multi-line segment', () => {
    expect(renderSegments([seg('api', 'pod', 'a\nb\n\nc\n')])).toBe(
      '          api │ a\n          api │ b\n          api │ \n          api │ c\n',
    );
  });

  it('continues an open line of the same span without a second prefix', () => {
    const r = new StreamRenderer();
    expect(r.render(seg('api', 'pod', 'Downloading'))).toBe('          api │ Downloading');
    expect(r.render(seg('api', 'pod', '... done\nnext'))).toBe('... done\n          api │ next');
    expect(r.finish()).toBe('\n');
    expect(r.finish()).toBe('');
  });

  it('ends an open line when another span writes, and resumes it on a new line', () => {
    const out = renderSegments([
      seg('api', 'build:api:1', 'Step 1'),
      seg('api', 'pod:api:web', 'serving\n'),
      seg('api', 'build:api:1', '/3\n'),
      seg('', 'tiltfile', 'Tiltfile loaded'),
    ]);
    expect(out).toBe(
      '          api │ Step 1\n          api │ serving\n          api │ /3\nTiltfile loaded\n',
    );
  });
});

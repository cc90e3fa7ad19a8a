import { describe, expect, it } from 'vitest';
import type { JSONObject } from '../../src/k8s/json.js';
import { JSONPath, JSONPathError } from '../../src/k8s/jsonpath.js';

const obj = (): JSONObject => ({
  spec: {
    image: 'top',
    containers: [
      { name: 'a', image: 'img-a', port: 1 },
      { name: 'b', image: 'img-b', port: 2 },
      { name: 'c', image: 'img-c', port: 3 },
    ],
    nested: { deep: { image: 'img-deep' } },
    'dotted.key': 'dotted',
    empty: [],
    nothing: null,
  },
});

const values = (path: string, o: JSONObject = obj()) =>
  JSONPath.parse(path)
    .find(o)
    .map((m) => m.value);

function error(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(JSONPathError);
    return (e as Error).message;
  }
  throw new Error('expected a JSONPathError');
}

describe('JSONPath evaluation', () => {
  it('follows fields', () => {
    expect(values('{.spec.image}')).toEqual(['top']);
    expect(values('{$.spec.nested.deep.image}')).toEqual(['img-deep']);
    expect(values('{.spec.dotted\\.key}')).toEqual(['dotted']);
  });

  it('indexes and slices arrays', () => {
    expect(values('{.spec.containers[*].image}')).toEqual(['img-a', 'img-b', 'img-c']);
    expect(values('{.spec.containers[].image}')).toEqual(['img-a']);
    expect(values('{.spec.containers[1].image}')).toEqual(['img-b']);
    expect(values('{.spec.containers[-1].image}')).toEqual(['img-c']);
    expect(values('{.spec.containers[0:2].name}')).toEqual(['a', 'b']);
    expect(values('{.spec.containers[::2].name}')).toEqual(['a', 'c']);
    expect(values('{.spec.containers[1:].name}')).toEqual(['b', 'c']);
    expect(values('{.spec.containers[0,2].name}')).toEqual(['a', 'c']);
    expect(values('{.spec.empty[*]}')).toEqual([]);
    expect(values('{.spec.nothing[*]}')).toEqual([]);
  });

  it('supports dict keys, wildcards and recursive descent', () => {
    expect(values("{.spec.nested['deep'].image}")).toEqual(['img-deep']);
    expect(values('{.spec.nested.*.image}')).toEqual(['img-deep']);
    expect(values('{..image}')).toEqual(['top', 'img-a', 'img-b', 'img-c', 'img-deep']);
  });

  it('filters arrays', () => {
    expect(values('{.spec.containers[?(@.name=="b")].image}')).toEqual(['img-b']);
    expect(values("{.spec.containers[?(@.name != 'b')].name}")).toEqual(['a', 'c']);
    expect(values('{.spec.containers[?(@.port > 1)].name}')).toEqual(['b', 'c']);
    expect(values('{.spec.containers[?(@.port<=2)].name}')).toEqual(['a', 'b']);
    expect(values('{.spec.containers[?(@.image)].name}')).toEqual(['a', 'b', 'c']);
    expect(values('{.spec.containers[?(@.missing)].name}', obj())).toEqual([]);
  });

  it('returns text outside braces and quoted text as literals', () => {
    expect(values('image: {.spec.image}')).toEqual(['image: ', 'top']);
    expect(values('{.spec.image}{"!"}')).toEqual(['top', '!']);
    expect(values('plain')).toEqual(['plain']);
  });

  it('reports missing fields with the path', () => {
    expect(error(() => JSONPath.parse('{.spec.runtime.image}').find(obj()))).toBe(
      'Matching (json_path="{.spec.runtime.image}"): runtime is not found',
    );
    expect(error(() => values('{.spec.containers[*].nope}'))).toMatch(/nope is not found$/);
  });

  it('reports type and bound errors as the Go evaluator does', () => {
    expect(error(() => values('{.spec.image[0]}'))).toMatch(/: string is not array or slice$/);
    expect(error(() => values('{.spec.nested[0]}'))).toMatch(
      /: map\[string\]interface \{\} is not array or slice$/,
    );
    expect(error(() => values('{.spec.containers[5]}'))).toMatch(
      /array index out of bounds: index 5, length 3$/,
    );
    expect(error(() => values('{.spec.containers[0:9]}'))).toMatch(
      /array index out of bounds: index 8, length 3$/,
    );
    expect(error(() => values('{.spec.containers[2:1]}'))).toMatch(
      /starting index 2 is greater than ending index 1$/,
    );
    expect(error(() => values('{.spec.containers[::0]}'))).toMatch(/step must be > 0$/);
    expect(error(() => values('{.spec.image[?(@.x)]}'))).toMatch(
      /top is not array or slice and cannot be filtered$/,
    );
    expect(error(() => values('{.spec.containers[?(@.nope=="x")]}'))).toMatch(/nope is not found$/);
    expect(error(() => values('{range .spec}'))).toMatch(/unrecognized identifier range$/);
  });

  it('requires strings from findStrings', () => {
    const path = JSONPath.parse('{.spec.containers[*].port}');
    expect(error(() => path.findStrings(obj()))).toBe(
      'May only match strings (json_path="{.spec.containers[*].port}")\nGot Type: int64\nGot Value: %!s(int64=1)',
    );
    expect(JSONPath.parse('{.spec.image}').findStrings(obj())[0].value).toBe('top');
  });
});

describe('JSONPath replacement', () => {
  it('replaces values in place and records where they were', () => {
    const o = obj();
    const matches = JSONPath.parse('{.spec.containers[*].image}').find(o);
    expect(matches.map((m) => m.path)).toEqual([
      ['spec', 'containers', 0, 'image'],
      ['spec', 'containers', 1, 'image'],
      ['spec', 'containers', 2, 'image'],
    ]);
    matches[1].set('injected');
    expect(values('{.spec.containers[*].image}', o)).toEqual(['img-a', 'injected', 'img-c']);
    expect(matches[1].value).toBe('injected');
  });

  it('replaces array elements', () => {
    const o: JSONObject = { args: ['a', 'b'] };
    JSONPath.parse('{.args[1]}').find(o)[0].set('z');
    expect(o.args).toEqual(['a', 'z']);
  });

  it('cannot replace literals or the root', () => {
    const [text] = JSONPath.parse('text').find({});
    expect(text.settable).toBe(false);
    expect(() => text.set('x')).toThrow();
  });
});

describe('JSONPath parse errors', () => {
  const cases: [string, string][] = [
    ['{.spec', 'unclosed action'],
    ['{.spec.containers[0}', 'unterminated array'],
    ['{.spec.containers[abc]}', 'invalid array index abc'],
    ['{.spec.containers[-]}', 'array index - is not a number'],
    ['{"abc}', 'unterminated quoted string'],
    ['{.a[?(@.b=="c"}', 'unterminated filter'],
    ['{.a[?(@.b=="c")x}', 'unclosed array expect ]'],
    ['{.a !}', "unrecognized character in action: U+0021 '!'"],
    ['{-}', 'cannot parse number -'],
  ];
  for (const [path, message] of cases) {
    it(path, () => expect(error(() => JSONPath.parse(path))).toBe(message));
  }

  it('keeps the source text', () => {
    expect(JSONPath.parse('{.spec.image}').toString()).toBe('{.spec.image}');
  });
});

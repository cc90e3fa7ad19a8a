import { describe, expect, it } from 'vitest';
import {
  DockerfileParseError,
  parseDockerfile,
  sourceRange,
  type Instruction,
} from '../../src/build/dockerfile/parse.js';
import { imageRefsOf, imageSites, stagesOf } from '../../src/build/dockerfile/deps.js';
import { injectImages } from '../../src/build/dockerfile/inject.js';
import { expandWord, ShellWordError, splitShellWords } from '../../src/build/dockerfile/shell.js';
import { familiarName, type ParsedRef } from '../../src/container/ref.js';

const lines = (...ls: string[]) => ls.join('\n') + '\n';
const parse = (...ls: string[]) => parseDockerfile(lines(...ls));
const only = (...ls: string[]): Instruction => {
  const df = parse(...ls);
  expect(df.instructions).toHaveLength(1);
  return df.instructions[0];
};
const parseError = (text: string): DockerfileParseError => {
  try {
    parseDockerfile(text);
  } catch (e) {
    if (e instanceof DockerfileParseError) return e;
    throw e;
  }
  throw new Error('expected a parse error');
};

describe('parseDockerfile: lines and comments', () => {
  it('parses instructions with upper-case names, arguments and lines', () => {
    const df = parse('FROM alpine:3.19', 'RUN apk add curl', 'CMD ["sh"]');
    expect(df.instructions.map((i) => [i.cmd, i.args, i.startLine, i.endLine])).toEqual([
      ['FROM', ['alpine:3.19'], 1, 1],
      ['RUN', ['apk add curl'], 2, 2],
      ['CMD', ['sh'], 3, 3],
    ]);
    expect(df.escapeToken).toBe('\\');
    expect(df.directives).toEqual({});
  });

  it('accepts instructions in any case and keeps the keyword as written', () => {
    const df = parse('from alpine', 'Run echo hi', 'wOrKdIr /app');
    expect(df.instructions.map((i) => i.cmd)).toEqual(['FROM', 'RUN', 'WORKDIR']);
    expect(df.instructions.map((i) => i.keyword)).toEqual(['from', 'Run', 'wOrKdIr']);
  });

  it('skips comments, blank lines and leading whitespace', () => {
    const df = parse(
      '# a comment',
      '',
      '   # indented comment',
      '  FROM alpine',
      '',
      'RUN a # not a comment',
    );
    expect(df.instructions.map((i) => i.original)).toEqual([
      'FROM alpine',
      'RUN a # not a comment',
    ]);
    expect(df.instructions.map((i) => i.startLine)).toEqual([4, 6]);
  });

  it('joins continuation lines, keeping their whitespace', () => {
    const inst = only('RUN apt-get update && \\', '    apt-get install -y \\', '      curl');
    expect(inst.original).toBe('RUN apt-get update &&     apt-get install -y       curl');
    expect(inst.args).toEqual(['apt-get update &&     apt-get install -y       curl']);
    expect([inst.startLine, inst.endLine]).toEqual([1, 3]);
  });

  it('allows trailing spaces after the continuation token', () => {
    const inst = only('RUN a \\  \t', 'b');
    expect(inst.original).toBe('RUN a b');
  });

  it('drops comment lines and empty lines inside a continued instruction', () => {
    const df = parse(
      'RUN echo one \\',
      '# a comment in the middle',
      '    # an indented one',
      '',
      '   ',
      '  && echo two',
      'FROM x',
    );
    expect(df.instructions[0].original).toBe('RUN echo one   && echo two');
    expect([df.instructions[0].startLine, df.instructions[0].endLine]).toEqual([1, 6]);
    expect(df.instructions[1].startLine).toBe(7);
  });

  it('treats a line holding only the escape token as a continuation', () => {
    const inst = only('RUN a \\', '\\', 'b');
    expect(inst.original).toBe('RUN a b');
  });

  it('does not continue a line ending in an escaped escape token', () => {
    const df = parse('RUN echo \\\\', 'CMD x');
    expect(df.instructions.map((i) => i.original)).toEqual(['RUN echo \\\\', 'CMD x']);
  });

  it('ends a continued instruction at the end of the file', () => {
    const df = parseDockerfile('FROM a\nRUN b \\');
    expect(df.instructions[1].original).toBe('RUN b ');
  });

  it('handles CRLF line endings and a byte-order mark', () => {
    const df = parseDockerfile('\uFEFFFROM alpine\r\nRUN a \\\r\n  b\r\n');
    expect(df.instructions.map((i) => i.original)).toEqual(['FROM alpine', 'RUN a   b']);
  });

  it('maps every instruction back onto the file text', () => {
    const text = lines(
      '\uFEFF# c',
      '  FROM alpine AS base',
      'RUN a \\',
      '# mid',
      '   b \\',
      '   c',
    );
    const df = parseDockerfile(text);
    for (const inst of df.instructions) {
      let rebuilt = '';
      for (const seg of inst.segments) rebuilt += text.slice(seg.src, seg.src + seg.len);
      expect(rebuilt).toBe(inst.original);
    }
    const from = df.instructions[0];
    const [s, e] = sourceRange(from, from.argsAt, from.argsAt + 'alpine'.length);
    expect(text.slice(s, e)).toBe('alpine');
  });

  it('fails on a file with no instructions', () => {
    const err = parseError('# only a comment\n\n');
    expect(err.message).toBe('file with no instructions');
    expect(parseError('').message).toBe('file with no instructions');
  });
});

describe('parseDockerfile: parser directives', () => {
  it('reads escape and syntax directives at the top', () => {
    const df = parse(
      '# syntax=docker/dockerfile:1.7',
      '#escape=`',
      'FROM windows',
      'RUN dir `',
      '  C:\\',
    );
    expect(df.directives).toEqual({ syntax: 'docker/dockerfile:1.7', escape: '`' });
    expect(df.escapeToken).toBe('`');
    expect(df.instructions[1].original).toBe('RUN dir   C:\\');
  });

  it('does not treat a backslash as a continuation under the backtick escape', () => {
    const df = parse('# escape=`', 'COPY C:\\src\\ C:\\dst\\', 'RUN x');
    expect(df.instructions.map((i) => i.args)).toEqual([['C:\\src\\', 'C:\\dst\\'], ['x']]);
  });

  it('accepts spacing and upper case in directive names', () => {
    const df = parse('#  ESCAPE  =  `  ', 'FROM x');
    expect(df.escapeToken).toBe('`');
  });

  it('ignores directives after a comment, a blank line or an instruction', () => {
    expect(parse('# hello', '# escape=`', 'FROM x').escapeToken).toBe('\\');
    expect(parse('', '# escape=`', 'FROM x').escapeToken).toBe('\\');
    expect(parse('FROM x', '# escape=`').escapeToken).toBe('\\');
    expect(parse('# unknown=1', '# escape=`', 'FROM x').directives).toEqual({});
  });

  it('rejects a repeated or invalid directive', () => {
    const dup = parseError(lines('# escape=`', '# escape=\\', 'FROM x'));
    expect(dup.message).toBe('only one escape parser directive can be used');
    expect(dup.line).toBe(2);
    const bad = parseError(lines('# escape=x', 'FROM x'));
    expect(bad.message).toBe("invalid escape token 'x' does not match ` or \\");
  });
});

describe('parseDockerfile: arguments', () => {
  it('recognises the JSON (exec) form', () => {
    const df = parse('CMD ["node", "server.js"]', 'ENTRYPOINT []', 'RUN  [ "a b" ] ');
    expect(df.instructions.map((i) => [i.args, i.json])).toEqual([
      [['node', 'server.js'], true],
      [[], true],
      [['a b'], true],
    ]);
  });

  it('falls back to the shell form when the argument is not a JSON array', () => {
    const df = parse('CMD [not json', 'RUN ["a"] && b', 'CMD echo "[x]"');
    expect(df.instructions.map((i) => [i.args, i.json])).toEqual([
      [['[not json'], false],
      [['["a"] && b'], false],
      [['echo "[x]"'], false],
    ]);
  });

  it('rejects JSON arrays of non-strings', () => {
    const err = parseError(lines('FROM x', 'CMD ["a", 1]'));
    expect(err.message).toBe(
      'when using JSON array syntax, arrays must be comprised of strings only',
    );
    expect(err.line).toBe(2);
  });

  it('splits COPY, ADD, EXPOSE and VOLUME on whitespace or takes their JSON', () => {
    const df = parse('COPY a  b\t/dst/', 'ADD ["a b", "/c"]', 'EXPOSE 80 443/tcp', 'VOLUME /data');
    expect(df.instructions.map((i) => i.args)).toEqual([
      ['a', 'b', '/dst/'],
      ['a b', '/c'],
      ['80', '443/tcp'],
      ['/data'],
    ]);
  });

  it('keeps quotes in ARG words and splits ENV and LABEL into pairs', () => {
    const df = parse(
      'ARG A B=2 C="x y"',
      'ENV PATH=/bin:$PATH MSG="hello world" E=',
      'ENV LEGACY a value with spaces',
      'LABEL "com.example"="v" other=1',
    );
    expect(df.instructions.map((i) => i.args)).toEqual([
      ['A', 'B=2', 'C="x y"'],
      ['PATH', '/bin:$PATH', 'MSG', '"hello world"', 'E', ''],
      ['LEGACY', 'a value with spaces'],
      ['"com.example"', '"v"', 'other', '1'],
    ]);
  });

  it('rejects malformed ENV', () => {
    expect(parseError(lines('FROM x', 'ENV ONLY')).message).toBe('ENV must have two arguments');
    expect(parseError(lines('FROM x', 'ENV A=1 B')).message).toBe(
      `Syntax error - can't find = in "B". Must be of the form: name=value`,
    );
  });

  it('parses HEALTHCHECK, ONBUILD and single-value instructions', () => {
    const df = parse(
      'HEALTHCHECK --interval=5s CMD ["curl", "-f", "http://localhost"]',
      'HEALTHCHECK NONE',
      'ONBUILD RUN make',
      'USER app:app',
      'WORKDIR /some dir',
    );
    const [hc, none, onbuild, user, workdir] = df.instructions;
    expect([hc.args, hc.json, hc.flags]).toEqual([
      ['CMD', 'curl', '-f', 'http://localhost'],
      true,
      { interval: '5s' },
    ]);
    expect(none.args).toEqual(['NONE']);
    expect(onbuild.args).toEqual(['RUN', 'make']);
    expect(user.args).toEqual(['app:app']);
    expect(workdir.args).toEqual(['/some dir']);
  });
});

describe('parseDockerfile: flags', () => {
  it('parses flags into a map and keeps the arguments after them', () => {
    const df = parse(
      'FROM --platform=$BUILDPLATFORM golang:1.22 AS build',
      'COPY --from=build --chown=app:app --link /out /app',
    );
    const [from, copy] = df.instructions;
    expect(from.flags).toEqual({ platform: '$BUILDPLATFORM' });
    expect(from.args).toEqual(['golang:1.22', 'AS', 'build']);
    expect(copy.flags).toEqual({ from: 'build', chown: 'app:app', link: '' });
    expect(copy.flagList.map((f) => [f.name, f.value])).toEqual([
      ['from', 'build'],
      ['chown', 'app:app'],
      ['link', null],
    ]);
    expect(copy.args).toEqual(['/out', '/app']);
    expect(copy.original.slice(copy.argsAt)).toBe('/out /app');
  });

  it('keeps repeated flags in order', () => {
    const inst = only('RUN --mount=type=cache,target=/root/.cache --mount=type=secret,id=npm make');
    expect(inst.flagList.map((f) => f.value)).toEqual([
      'type=cache,target=/root/.cache',
      'type=secret,id=npm',
    ]);
    expect(inst.flags.mount).toBe('type=secret,id=npm');
    expect(inst.args).toEqual(['make']);
  });

  it('removes quotes from flag values and records where each flag is', () => {
    const inst = only('COPY --chown="a b" --from=\'img\' src dst');
    expect(inst.flags).toEqual({ chown: 'a b', from: 'img' });
    const [chown, from] = inst.flagList;
    expect(inst.original.slice(chown.at, chown.end)).toBe('--chown="a b"');
    expect(inst.original.slice(from.at, from.end)).toBe("--from='img'");
  });

  it('stops reading flags at a bare -- or the first plain word', () => {
    expect(only('RUN -- --not-a-flag').args).toEqual(['--not-a-flag']);
    expect(only('RUN echo --not-a-flag').flags).toEqual({});
    expect(only('RUN -x').args).toEqual(['-x']);
  });
});

describe('parseDockerfile: heredocs', () => {
  it('attaches a RUN heredoc body and carries on parsing after it', () => {
    const df = parse(
      'FROM alpine',
      'RUN <<EOF',
      'echo hello',
      'FROM not-an-instruction',
      'EOF',
      'CMD ["x"]',
    );
    const run = df.instructions[1];
    expect(run.args).toEqual(['<<EOF']);
    expect(run.heredocs).toEqual([
      { name: 'EOF', body: 'echo hello\nFROM not-an-instruction\n', chomp: false, expand: true },
    ]);
    expect([run.startLine, run.endLine]).toEqual([2, 5]);
    expect(df.instructions.map((i) => i.cmd)).toEqual(['FROM', 'RUN', 'CMD']);
  });

  it('supports COPY heredocs, several per line, quoted and chomped markers', () => {
    const df = parse(
      'COPY <<one.txt <<"two.txt" /dst/',
      'first',
      'one.txt',
      'second $X',
      'two.txt',
      'RUN <<-END python3',
      '\tprint(1)',
      '\tEND',
    );
    const [copy, run] = df.instructions;
    expect(copy.args).toEqual(['<<one.txt', '<<"two.txt"', '/dst/']);
    expect(copy.heredocs).toEqual([
      { name: 'one.txt', body: 'first\n', chomp: false, expand: true },
      { name: 'two.txt', body: 'second $X\n', chomp: false, expand: false },
    ]);
    expect(run.heredocs).toEqual([
      { name: 'END', body: '\tprint(1)\n', chomp: true, expand: true },
    ]);
    expect(run.endLine).toBe(8);
  });

  it('keeps CRLF in the body and matches the terminator without it', () => {
    const df = parseDockerfile('RUN <<EOF\r\na\r\nEOF\r\nCMD x\r\n');
    expect(df.instructions[0].heredocs?.[0].body).toBe('a\r\n');
    expect(df.instructions[1].cmd).toBe('CMD');
  });

  it('ignores markers in quotes, glued to words, in JSON form or on other instructions', () => {
    const df = parse('RUN echo "<<EOF"', 'RUN cat<<EOF', 'RUN ["<<EOF"]', 'ENV A=<<EOF', 'CMD x');
    expect(df.instructions.every((i) => i.heredocs === undefined)).toBe(true);
    expect(df.instructions).toHaveLength(5);
  });

  it('fails on an unterminated heredoc', () => {
    const err = parseError(lines('FROM x', 'RUN <<EOF', 'echo'));
    expect(err.message).toBe('unterminated heredoc');
    expect(err.line).toBe(2);
  });
});

describe('parseDockerfile: instruction errors', () => {
  it('reports unknown instructions with the line', () => {
    const err = parseError(lines('FROM x', '', 'FOOBAR baz'));
    expect(err).toBeInstanceOf(DockerfileParseError);
    expect(err.line).toBe(3);
    expect(err.reason).toBe('unknown instruction: FOOBAR');
    expect(err.message).toBe('dockerfile parse error on line 3: unknown instruction: FOOBAR');
  });

  it('suggests the nearest instruction in the same case', () => {
    expect(parseError('FORM alpine\n').message).toBe(
      'dockerfile parse error on line 1: unknown instruction: FORM (did you mean FROM?)',
    );
    expect(parseError('FROM a\ncopyy a b\n').reason).toBe(
      'unknown instruction: copyy (did you mean copy?)',
    );
  });

  it('checks FROM, COPY and single-argument instructions', () => {
    expect(parseError('FROM a b\n').reason).toBe('FROM requires either one or three arguments');
    expect(parseError('FROM\n').reason).toBe('FROM requires either one or three arguments');
    expect(parseError('FROM a AS 1st\n').reason).toBe(
      `invalid name for build stage: "1st", name can't start with a number or contain symbols`,
    );
    expect(parseError('FROM a\nCOPY onlyone\n').message).toBe(
      'dockerfile parse error on line 2: COPY requires at least two arguments, but only one was provided. Destination could not be determined',
    );
    expect(parseError('FROM a\nWORKDIR\n').reason).toBe('WORKDIR requires exactly one argument');
    expect(parseError('FROM a\nARG\n').reason).toBe('ARG requires at least one argument');
    expect(parseError('FROM a\nARG =x\n').reason).toBe('ARG names can not be blank');
    expect(parseError('FROM a\nONBUILD FROM b\n').reason).toBe(
      "FROM isn't allowed as an ONBUILD trigger",
    );
  });
});

describe('shell words', () => {
  const env = new Map([
    ['A', 'alpha'],
    ['EMPTY', ''],
    ['V', 'path/to/file.tar.gz'],
  ]);
  const x = (w: string) => expandWord(w, env);

  it('expands $VAR and ${VAR}, unset ones to nothing', () => {
    expect(x('$A-${A}_$UNSET.${UNSET}')).toBe('alpha-alpha_.');
    expect(x('cost: $ 5 and $')).toBe('cost: $ 5 and $');
  });

  it('handles default, alternate and required modifiers', () => {
    expect(x('${UNSET:-def} ${EMPTY:-def} ${EMPTY-def} ${A:-def}')).toBe('def def  alpha');
    expect(x('${A:+alt} ${EMPTY:+alt}|${EMPTY+alt} ${UNSET+alt}|')).toBe('alt |alt |');
    expect(x('${UNSET:-${A}}')).toBe('alpha');
    expect(() => x('${UNSET:?must be set}')).toThrow('UNSET: must be set');
    expect(() => x('${EMPTY:?}')).toThrow('EMPTY: is not allowed to be empty');
  });

  it('trims and replaces patterns', () => {
    expect(x('${V#*/}|${V##*/}|${V%.*}|${V%%.*}')).toBe(
      'to/file.tar.gz|file.tar.gz|path/to/file.tar|path/to/file',
    );
    expect(x('${V/t/T}|${V//t/T}')).toBe('paTh/to/file.tar.gz|paTh/To/file.Tar.gz');
  });

  it('removes quotes and honours the escape token', () => {
    expect(x(`"a $A" 'b $A' c\\$A`)).toBe('a alpha b $A c$A');
    expect(x('"q\\"q \\x"')).toBe('q"q \\x');
    expect(expandWord('`$A $A', env, { escape: '`' })).toBe('$A alpha');
  });

  it('reports bad syntax', () => {
    expect(() => x('${A')).toThrow(ShellWordError);
    expect(() => x('${}')).toThrow('bad substitution');
    expect(() => x('"open')).toThrow('matching double-quote');
    expect(() => x('${A*x}')).toThrow('unsupported modifier (*) in substitution');
  });

  it('splits words keeping or removing quotes', () => {
    expect(splitShellWords(`RUN a "b c" 'd' e\\ f`, true)).toEqual([
      'RUN',
      'a',
      '"b c"',
      "'d'",
      'e\\ f',
    ]);
    expect(splitShellWords(`a "b c" 'd' e\\ f`, false)).toEqual(['a', 'b c', 'd', 'e f']);
  });
});

describe('stagesOf and imageRefsOf', () => {
  const refs = (text: string, buildArgs: Record<string, string> = {}) =>
    imageRefsOf(parseDockerfile(text), buildArgs);

  it('lists the FROM images', () => {
    expect(refs(lines('FROM golang:1.22', 'RUN go build'))).toEqual({
      from: ['golang:1.22'],
      copyFrom: [],
    });
  });

  it('leaves out earlier stage names, compared without case, and scratch', () => {
    const text = lines(
      'FROM golang:1.22 AS Builder',
      'FROM builder AS test',
      'FROM scratch',
      'COPY --from=BUILDER /out /out',
      'FROM gcr.io/distroless/static',
    );
    expect(refs(text)).toEqual({ from: ['golang:1.22', 'gcr.io/distroless/static'], copyFrom: [] });
  });

  it('counts a FROM naming a later stage as an image', () => {
    expect(refs(lines('FROM later', 'FROM alpine AS later')).from).toEqual(['later', 'alpine']);
  });

  it('expands global ARGs with their defaults, overridden by build args', () => {
    const text = lines(
      'ARG REGISTRY=docker.io',
      'ARG BASE=${REGISTRY}/library/alpine',
      'ARG TAG',
      'ARG VARIANT',
      'FROM ${BASE}:${TAG:-3.19}${VARIANT:+-$VARIANT}',
      'FROM $BASE AS second',
    );
    expect(refs(text).from).toEqual(['docker.io/library/alpine:3.19', 'docker.io/library/alpine']);
    expect(refs(text, { TAG: 'edge', VARIANT: 'slim' }).from).toEqual([
      'docker.io/library/alpine:edge-slim',
      'docker.io/library/alpine',
    ]);
    expect(refs(text, { BASE: 'busybox' }).from).toEqual(['busybox:3.19', 'busybox']);
  });

  it('ignores build args with no global ARG and ARGs inside stages', () => {
    const text = lines('FROM ${IMG:-alpine}', 'ARG IMG=ubuntu', 'FROM ${IMG:-debian}');
    expect(refs(text, { IMG: 'busybox' }).from).toEqual(['alpine', 'debian']);
  });

  it('drops FROM values that are not image references', () => {
    expect(refs(lines('ARG EMPTY', 'FROM ${EMPTY}', 'FROM $', 'FROM Upper')).from).toEqual([]);
  });

  it('lists COPY --from and RUN --mount from= images, not stage names or indexes', () => {
    const text = lines(
      'FROM node:20 AS deps',
      'FROM alpine',
      'COPY --from=deps /a /a',
      'COPY --from=0 /b /b',
      'COPY --from=nginx:1.25 /etc/nginx /etc/nginx',
      'COPY --from=nginx:1.25 /x /x',
      'RUN --mount=type=bind,from=deps,target=/d --mount=type=cache,target=/c,from=golang:1.22 make',
      'COPY --from=final /c /c',
      'FROM busybox AS final',
    );
    expect(refs(text)).toEqual({
      from: ['node:20', 'alpine', 'busybox'],
      copyFrom: ['nginx:1.25', 'golang:1.22'],
    });
  });

  it('expands --from with the stage ARGs', () => {
    const text = lines(
      'ARG TOOLS=tools:1',
      'FROM alpine',
      'ARG TOOLS',
      'ARG OTHER=other:2',
      'COPY --from=$TOOLS /t /t',
      'COPY --from=${OTHER} /o /o',
    );
    expect(refs(text).copyFrom).toEqual(['tools:1', 'other:2']);
    expect(refs(text, { OTHER: 'o:3' }).copyFrom).toEqual(['tools:1', 'o:3']);
  });

  it('describes stages', () => {
    const df = parseDockerfile(lines('ARG B=alpine', 'FROM $B AS One', 'FROM one'));
    expect(stagesOf(df).map((s) => [s.index, s.name, s.baseRaw, s.base])).toEqual([
      [0, 'one', '$B', 'alpine'],
      [1, '', 'one', 'one'],
    ]);
    expect(imageSites(df).map((s) => s.kind)).toEqual(['from']);
  });
});

describe('injectImages', () => {
  const byName =
    (map: Record<string, string>) =>
    (ref: ParsedRef): string | undefined =>
      map[familiarName(ref)];

  it('replaces a matching FROM and leaves every other byte alone', () => {
    const text = lines(
      '# syntax=docker/dockerfile:1',
      '# base image',
      'FROM   base:latest   AS  build',
      'RUN make \\',
      '  # a comment',
      '  all',
      'FROM other',
    );
    const out = injectImages(text, byName({ base: 'base:tilt-0123456789abcdef' }));
    expect(out.replaced).toBe(1);
    expect(out.text).toBe(text.replace('base:latest', 'base:tilt-0123456789abcdef'));
  });

  it('replaces the whole ARG expression', () => {
    const text = lines('ARG BASE_IMAGE=company/base', 'FROM ${BASE_IMAGE} AS app', 'RUN x');
    const out = injectImages(text, byName({ 'company/base': 'company/base:tilt-1' }));
    expect(out.text).toBe(
      lines('ARG BASE_IMAGE=company/base', 'FROM company/base:tilt-1 AS app', 'RUN x'),
    );
  });

  it('uses build args to decide what matches', () => {
    const text = lines('ARG BASE=a', 'FROM $BASE');
    const replace = byName({ b: 'b:tilt-2' });
    expect(injectImages(text, replace).replaced).toBe(0);
    expect(injectImages(text, replace, { BASE: 'b' }).text).toBe(
      lines('ARG BASE=a', 'FROM b:tilt-2'),
    );
  });

  it('replaces COPY --from images but not stage names', () => {
    const text = lines(
      'FROM base AS b',
      'FROM alpine',
      'COPY --chown=1:1 --from=base /a /a',
      'COPY --from=b /x /x',
      'COPY --from="base" /y /y',
    );
    const out = injectImages(text, byName({ base: 'localhost:5000/base:tilt-3' }));
    expect(out.replaced).toBe(3);
    expect(out.text).toBe(
      lines(
        'FROM localhost:5000/base:tilt-3 AS b',
        'FROM alpine',
        'COPY --chown=1:1 --from=localhost:5000/base:tilt-3 /a /a',
        'COPY --from=b /x /x',
        'COPY --from=localhost:5000/base:tilt-3 /y /y',
      ),
    );
  });

  it('replaces RUN --mount from= values', () => {
    const text = lines(
      'FROM alpine',
      'RUN --mount=type=bind,from=tools,target=/t --mount="type=bind,source=/x,from=tools" ls',
    );
    const out = injectImages(text, byName({ tools: 'tools:tilt-4' }));
    expect(out.replaced).toBe(2);
    expect(out.text).toBe(
      lines(
        'FROM alpine',
        'RUN --mount=type=bind,from=tools:tilt-4,target=/t --mount=type=bind,source=/x,from=tools:tilt-4 ls',
      ),
    );
  });

  it('rewrites an image split over a continuation', () => {
    const text = lines('FROM base\\', ':1 AS x', 'RUN y');
    const out = injectImages(text, byName({ base: 'base:tilt-5' }));
    expect(out.text).toBe(lines('FROM base:tilt-5 AS x', 'RUN y'));
  });

  it('keeps CRLF, backtick escapes and heredoc bodies intact', () => {
    const text = '# escape=`\r\nFROM base `\r\n  AS x\r\nRUN <<EOF\r\nFROM base\r\nEOF\r\n';
    const out = injectImages(text, byName({ base: 'base:tilt-6' }));
    expect(out).toEqual({ text: text.replace('FROM base `', 'FROM base:tilt-6 `'), replaced: 1 });
  });

  it('changes nothing when nothing matches', () => {
    const text = lines('FROM a', 'COPY --from=b /x /y', 'FROM scratch');
    const seen: string[] = [];
    const out = injectImages(text, (ref) => {
      seen.push(ref.toString());
      return undefined;
    });
    expect(out).toEqual({ text, replaced: 0 });
    expect(seen).toEqual(['docker.io/library/a', 'docker.io/library/b']);
  });

  it('propagates parse errors', () => {
    expect(() => injectImages('FROMM x\n', () => 'y')).toThrow(DockerfileParseError);
  });
});

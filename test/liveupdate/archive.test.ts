// The tar stream a live update unpacks in the container.

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { archiveMappings, splitDeleted } from '../../src/liveupdate/archive.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'lu-archive-'));
  dirs.push(d);
  return d;
}

/** Entries of a tar stream: name → contents (files), 'dir' or '-> target'. */
async function entries(stream: Readable): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const ex = extract();
  const done = new Promise<void>((res, rej) => {
    ex.on('entry', (h, s, next) => {
      const chunks: Buffer[] = [];
      s.on('data', (c: unknown) => chunks.push(c as Buffer));
      s.on('end', () => {
        if (h.type === 'directory') out.set(h.name, 'dir');
        else if (h.type === 'symlink') out.set(h.name, `-> ${h.linkname}`);
        else out.set(h.name, Buffer.concat(chunks).toString());
        next();
      });
    });
    ex.on('finish', res);
    ex.on('error', rej);
  });
  stream.pipe(ex as unknown as NodeJS.WritableStream);
  await done;
  return out;
}

describe('archiveMappings', () => {
  it('puts files under their container paths, relative to /', async () => {
    const d = tmp();
    writeFileSync(join(d, 'a.txt'), 'A');
    const big = 'x'.repeat((1 << 20) + 5);
    writeFileSync(join(d, 'big.bin'), big);
    const got = await entries(
      archiveMappings([
        { local: join(d, 'a.txt'), container: '/app/a.txt' },
        { local: join(d, 'big.bin'), container: '/app/big.bin' },
      ]),
    );
    expect(got.get('app/a.txt')).toBe('A');
    expect(got.get('app/big.bin')).toBe(big);
  });

  it('walks directories, leaving out what the image ignores', async () => {
    const d = tmp();
    mkdirSync(join(d, 'src', 'node_modules'), { recursive: true });
    writeFileSync(join(d, 'src', 'index.js'), 'i');
    writeFileSync(join(d, 'src', 'node_modules', 'dep.js'), 'd');
    symlinkSync('index.js', join(d, 'src', 'link.js'));
    const got = await entries(
      archiveMappings([{ local: join(d, 'src'), container: '/srv' }], {
        exclude: (p) => p.includes('node_modules'),
      }),
    );
    expect([...got.keys()].sort()).toEqual(['srv', 'srv/index.js', 'srv/link.js']);
    expect(got.get('srv/link.js')).toBe('-> index.js');
  });
});

describe('splitDeleted', () => {
  it('separates files deleted locally, keeping their order', async () => {
    const d = tmp();
    writeFileSync(join(d, 'b'), '');
    const m = (n: string) => ({ local: join(d, n), container: `/c/${n}` });
    expect(await splitDeleted([m('a'), m('b'), m('c')])).toEqual({
      present: [m('b')],
      deleted: [m('a'), m('c')],
    });
  });
});

// The tar stream a live update feeds to `tar -C / -x -f -` in a container:
// each mapped local file (or directory, walked) under its container path.
// Streamed, so a large initial sync never sits in memory.

import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { once } from 'node:events';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { pack, type Header, type Pack } from 'tar-stream';
import type { PathMapping } from './plan.js';

/** Splits mappings into those whose local path exists and those deleted locally. */
export async function splitDeleted(
  mappings: readonly PathMapping[],
): Promise<{ present: PathMapping[]; deleted: PathMapping[] }> {
  const present: PathMapping[] = [];
  const deleted: PathMapping[] = [];
  await Promise.all(
    mappings.map(async (m) => {
      try {
        await lstat(m.local);
        present.push(m);
      } catch {
        deleted.push(m);
      }
    }),
  );
  const order = new Map(mappings.map((m, i) => [m, i]));
  const byOrder = (a: PathMapping, b: PathMapping) => order.get(a)! - order.get(b)!;
  return { present: present.sort(byOrder), deleted: deleted.sort(byOrder) };
}

export interface ArchiveOptions {
  /** Leaves out local paths (the image's ignores) while walking directories. */
  exclude?: (local: string) => boolean;
}

/** A tar stream of the mapped paths, entry names relative to `/`. */
export function archiveMappings(
  mappings: readonly PathMapping[],
  opts: ArchiveOptions = {},
): Readable {
  const tar = pack();
  void (async () => {
    for (const m of mappings) await addPath(tar, m.local, m.container, opts, true);
    tar.finalize();
  })().catch((err: unknown) => tar.destroy(err as Error));
  const out = Readable.from(tar as AsyncIterable<Buffer>, { objectMode: false });
  out.on('close', () => tar.destroy());
  return out;
}

async function addPath(
  tar: Pack,
  local: string,
  container: string,
  opts: ArchiveOptions,
  top: boolean,
): Promise<void> {
  if (!top && opts.exclude?.(local)) return;
  let st;
  try {
    st = await lstat(local);
  } catch {
    return; // deleted since it was planned: the next change removes it
  }
  const header: EntryHeader = {
    name: container.replace(/^\/+/, ''),
    mode: st.mode & 0o7777,
    mtime: st.mtime,
  };
  if (st.isSymbolicLink()) {
    await entry(tar, { ...header, type: 'symlink', linkname: await readlink(local) });
  } else if (st.isDirectory()) {
    await entry(tar, { ...header, type: 'directory' });
    const names = (await readdir(local)).sort();
    for (const n of names)
      await addPath(tar, join(local, n), posix.join(container, n), opts, false);
  } else if (st.isFile()) {
    await addFile(tar, local, { ...header, type: 'file', size: st.size });
  }
}

type EntryHeader = Partial<Header> & { name: string };

/** Small files are read whole; large ones streamed, held to the size in the header. */
async function addFile(tar: Pack, local: string, header: EntryHeader): Promise<void> {
  const size = header.size ?? 0;
  if (size <= SMALL_FILE) {
    const buf = Buffer.alloc(size);
    (await readFile(local)).copy(buf, 0, 0, size); // a file that changed size keeps the header's
    await new Promise<void>((res, rej) => tar.entry(header, buf, (e) => (e ? rej(e) : res())));
    return;
  }
  let sink!: ReturnType<Pack['entry']>;
  const written = new Promise<void>((res, rej) => {
    sink = tar.entry(header, (e) => (e ? rej(e) : res()));
  });
  let n = 0;
  for await (const chunk of createReadStream(local, { start: 0, end: size - 1 })) {
    n += (chunk as Buffer).length;
    if (!sink.write(chunk)) await once(sink as unknown as NodeJS.EventEmitter, 'drain');
  }
  if (n < size) sink.write(Buffer.alloc(size - n));
  sink.end(undefined);
  await written;
}

const SMALL_FILE = 1 << 20;

function entry(tar: Pack, header: EntryHeader): Promise<void> {
  return new Promise((resolve, reject) => {
    tar.entry(header, (err) => (err ? reject(err) : resolve()));
  });
}

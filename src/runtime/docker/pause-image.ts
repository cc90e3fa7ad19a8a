// The pod sandbox image: a container that only owns the pod's network (and IPC)
// namespace, so that the pod's containers can join it. Kubernetes uses the
// `pause` image; pulling it would need a registry, so the image is made here
// from a few bytes of machine code: a static ELF executable that blocks forever.

import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { TILT_BUILT_LABEL, type DockerEngine } from '../../build/docker/engine.js';

/** Bump the tag when the executable changes, so that older images are not reused. */
export const PAUSE_IMAGE = 'tilt-ts-pause:1';

export type PauseArch = 'amd64' | 'arm64';

export class UnsupportedArchError extends Error {
  constructor(readonly arch: string) {
    super(`the Docker runtime has no pod sandbox for architecture ${arch} (only amd64 and arm64)`);
    this.name = 'UnsupportedArchError';
  }
}

/** Maps Docker's (`amd64`, `x86_64`) and Node's (`x64`) names of an architecture. */
export function pauseArch(arch: string): PauseArch {
  switch (arch) {
    case 'amd64':
    case 'x86_64':
    case 'x64':
      return 'amd64';
    case 'arm64':
    case 'aarch64':
      return 'arm64';
    default:
      throw new UnsupportedArchError(arch);
  }
}

// x86_64: `mov eax, 34 (pause); syscall; jmp back`. pause() returns only on a
// signal, and PID 1 gets no signal it has no handler for, except SIGKILL.
const AMD64_CODE = Buffer.from([0xb8, 0x22, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xeb, 0xf7]);

// aarch64 has no pause(): ppoll(NULL, 0, NULL, NULL) (syscall 73) waits forever too.
// `mov x0..x3, #0; mov x8, #73; svc #0; b back to the first mov`.
const ARM64_CODE = wordsLE([
  0xd2800000, 0xd2800001, 0xd2800002, 0xd2800003, 0xd2800928, 0xd4000001, 0x17fffffa,
]);

function wordsLE(words: number[]): Buffer {
  const buf = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => buf.writeUInt32LE(w, i * 4));
  return buf;
}

const ELF_HEADER_SIZE = 64;
const PROGRAM_HEADER_SIZE = 56;
const LOAD_ADDRESS = 0x400000n;

/** A static ELF64 executable: one header, one loadable segment, the code right after. */
export function pauseExecutable(arch: PauseArch): Buffer {
  const code = arch === 'amd64' ? AMD64_CODE : ARM64_CODE;
  const machine = arch === 'amd64' ? 0x3e : 0xb7;
  const codeOffset = ELF_HEADER_SIZE + PROGRAM_HEADER_SIZE;
  const size = codeOffset + code.length;
  const elf = Buffer.alloc(size);
  // e_ident: magic, 64-bit, little-endian, version 1, System V ABI.
  elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0);
  elf.writeUInt16LE(2, 16); // e_type: executable
  elf.writeUInt16LE(machine, 18);
  elf.writeUInt32LE(1, 20); // e_version
  elf.writeBigUInt64LE(LOAD_ADDRESS + BigInt(codeOffset), 24); // e_entry
  elf.writeBigUInt64LE(BigInt(ELF_HEADER_SIZE), 32); // e_phoff
  elf.writeBigUInt64LE(0n, 40); // e_shoff: no sections
  elf.writeUInt32LE(0, 48); // e_flags
  elf.writeUInt16LE(ELF_HEADER_SIZE, 52);
  elf.writeUInt16LE(PROGRAM_HEADER_SIZE, 54);
  elf.writeUInt16LE(1, 56); // e_phnum
  // e_shentsize, e_shnum, e_shstrndx stay 0.
  const ph = ELF_HEADER_SIZE;
  elf.writeUInt32LE(1, ph); // PT_LOAD
  elf.writeUInt32LE(5, ph + 4); // readable, executable
  elf.writeBigUInt64LE(0n, ph + 8); // the whole file is mapped
  elf.writeBigUInt64LE(LOAD_ADDRESS, ph + 16);
  elf.writeBigUInt64LE(LOAD_ADDRESS, ph + 24);
  elf.writeBigUInt64LE(BigInt(size), ph + 32);
  elf.writeBigUInt64LE(BigInt(size), ph + 40);
  elf.writeBigUInt64LE(0x1000n, ph + 48);
  code.copy(elf, codeOffset);
  return elf;
}

/** The root filesystem of the sandbox image: just `/pause`. */
export function pauseRootfs(arch: PauseArch): Readable {
  const pack = tar.pack();
  pack.entry(
    { name: 'pause', mode: 0o755, uid: 0, gid: 0, mtime: new Date(0) },
    pauseExecutable(arch),
  );
  pack.finalize();
  return Readable.from(pack);
}

const pending = new Map<string, Promise<void>>();

/**
 * Makes sure the sandbox image exists on the engine, importing it when missing.
 * Once per engine address and process; a failure is retried on the next call.
 */
export function ensurePauseImage(engine: DockerEngine): Promise<void> {
  let done = pending.get(engine.host);
  if (!done) {
    done = importIfMissing(engine);
    pending.set(engine.host, done);
    done.catch(() => pending.delete(engine.host));
  }
  return done;
}

/** Forgets that the image exists (it was removed): the next ensurePauseImage checks again. */
export function forgetPauseImage(engine: DockerEngine): void {
  pending.delete(engine.host);
}

async function importIfMissing(engine: DockerEngine): Promise<void> {
  if (await engine.imageExists(PAUSE_IMAGE)) return;
  const arch = pauseArch((await engine.version()).arch || process.arch);
  await engine.importImage(pauseRootfs(arch), PAUSE_IMAGE, {
    changes: ['CMD ["/pause"]', `LABEL ${TILT_BUILT_LABEL}=true`],
    message: 'pod sandbox of the tilt-ts Docker runtime',
  });
}

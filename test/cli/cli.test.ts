import { describe, expect, it } from 'vitest';
import { run } from './run.js';

describe('tilt CLI', () => {
  it('prints the version and build date', async () => {
    const { code, stdout, stderr } = await run(['version']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const lines = stdout.split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^v\d+\.\d+\.\d+, built \d{4}-\d{2}-\d{2}$/);
  });

  it('lists the top-level commands in --help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\s+version\b/m);
    expect(stdout).toMatch(/^\s+alpha\b/m);
  });

  it('lists starlark under alpha --help', async () => {
    const { code, stdout } = await run(['alpha', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\s+starlark\b/m);
  });

  it('rejects unknown commands with exit code 1', async () => {
    const { code, stdout, stderr } = await run(['no-such-command']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/unknown command 'no-such-command'/);
  });

  it('requires at least one file for alpha starlark', async () => {
    const { code, stderr } = await run(['alpha', 'starlark']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/missing required argument/);
  });
});

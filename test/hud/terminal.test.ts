import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { TerminalHud, type HudResource, type HudView } from '../../src/hud/index.js';

const UP = (n: number): string => `\r\x1b[${n}A\x1b[0J`;

function res(name: string, over: Partial<HudResource> = {}): HudResource {
  return {
    name,
    type: 'local',
    disabled: false,
    updateStatus: 'ok',
    runtimeStatus: 'not_applicable',
    endpoints: [],
    ...over,
  };
}

const idle = (detail = ''): HudView => ({ resources: [res('a', { detail })] });
const busy: HudView = { resources: [res('a', { updateStatus: 'in_progress' })] };

describe('TerminalHud', () => {
  let writes: string[];
  let columns: number;
  let hud: TerminalHud;

  beforeEach(() => {
    vi.useFakeTimers();
    writes = [];
    columns = 80;
    hud = new TerminalHud({
      write: (s) => writes.push(s),
      columns: () => columns,
      color: false,
      now: () => 0,
    });
  });
  afterEach(() => {
    hud.stop();
    vi.useRealTimers();
  });

  it('coalesces a burst of updates into one redraw', () => {
    hud.update(idle('1'));
    hud.update(idle('2'));
    hud.update(idle('3'));
    vi.advanceTimersByTime(99);
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(writes).toEqual([
      'Tilt started\n  RESOURCE  UPDATE  RUNTIME\n✔ a         ok               3\n',
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('redraws at most once per 100 ms under a steady stream of updates', () => {
    for (let i = 0; i < 100; i++) {
      hud.update(idle(String(i)));
      vi.advanceTimersByTime(10);
    }
    vi.advanceTimersByTime(100);
    expect(writes).toHaveLength(10);
    expect(writes[9]).toContain(' 99\n');
  });

  it('redraws in place by moving back over the previous table', () => {
    hud.update(idle('1'));
    vi.advanceTimersByTime(100);
    hud.update({ resources: [res('a'), res('b')] });
    vi.advanceTimersByTime(100);
    expect(writes[1]).toBe(
      `${UP(3)}Tilt started\n  RESOURCE  UPDATE  RUNTIME\n✔ a         ok\n✔ b         ok\n`,
    );
  });

  it('writes nothing when the table would not change, but redraws after a resize', () => {
    hud.update(idle('same'));
    vi.advanceTimersByTime(100);
    hud.update(idle('same'));
    vi.advanceTimersByTime(100);
    expect(writes).toHaveLength(1);
    columns = 12;
    hud.update(idle('same'));
    vi.advanceTimersByTime(100);
    expect(writes).toEqual([
      'Tilt started\n  RESOURCE  UPDATE  RUNTIME\n✔ a         ok               same\n',
      `${UP(3)}Tilt started\n  RESOURCE …\n✔ a        …\n`,
    ]);
  });

  it('runs the spinner only while something is busy', () => {
    hud.update(busy);
    vi.advanceTimersByTime(100);
    expect(writes).toEqual(['Tilt started\n  RESOURCE  UPDATE    RUNTIME\n⠋ a         updating\n']);
    expect(vi.getTimerCount()).toBe(1);

    vi.advanceTimersByTime(120);
    expect(writes[1]).toBe(
      `${UP(3)}Tilt started\n  RESOURCE  UPDATE    RUNTIME\n⠙ a         updating\n`,
    );
    vi.advanceTimersByTime(120);
    expect(writes[2]).toContain('⠹ a');

    hud.update(idle());
    vi.advanceTimersByTime(100);
    expect(writes[writes.length - 1]).toBe(
      `${UP(3)}Tilt started\n  RESOURCE  UPDATE  RUNTIME\n✔ a         ok\n`,
    );
    // Idle: no timer left, and time passing draws nothing.
    expect(vi.getTimerCount()).toBe(0);
    const count = writes.length;
    vi.advanceTimersByTime(10_000);
    expect(writes).toHaveLength(count);

    // Busy again: the spinner comes back.
    hud.update(busy);
    vi.advanceTimersByTime(100);
    expect(vi.getTimerCount()).toBe(1);
  });

  it('prints messages above the table and keeps the table at the bottom', () => {
    hud.message('before any view');
    expect(writes).toEqual(['before any view\n']);

    hud.update(idle('1'));
    vi.advanceTimersByTime(100);
    hud.update(idle('2'));
    hud.message('Error: something broke');
    // The message draws the latest view at once, so the pending redraw is dropped.
    expect(vi.getTimerCount()).toBe(0);
    expect(writes[2]).toBe(
      `${UP(3)}Error: something broke\nTilt started\n  RESOURCE  UPDATE  RUNTIME\n✔ a         ok               2\n`,
    );
  });

  it('stop leaves the final table printed and stops every timer', () => {
    hud.update(busy);
    vi.advanceTimersByTime(100);
    hud.update(idle('done'));
    hud.stop();
    expect(vi.getTimerCount()).toBe(0);
    expect(writes[writes.length - 1]).toBe(
      `${UP(3)}Tilt started\n  RESOURCE  UPDATE  RUNTIME\n✔ a         ok               done\n`,
    );

    // Afterwards the table stays as it is; messages just go below it.
    const count = writes.length;
    hud.update(busy);
    vi.advanceTimersByTime(1000);
    expect(writes).toHaveLength(count);
    hud.message('bye');
    expect(writes.slice(count)).toEqual(['bye\n']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stop while busy draws the pending view and leaves no spinner', () => {
    hud.update(busy);
    hud.stop();
    expect(writes).toEqual(['Tilt started\n  RESOURCE  UPDATE    RUNTIME\n⠋ a         updating\n']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('colors only when asked', () => {
    const colored: string[] = [];
    const c = new TerminalHud({ write: (s) => colored.push(s), columns: () => 80, color: true });
    c.update(idle());
    c.stop();
    expect(colored[0]).toContain('\x1b[32m✔\x1b[0m');
    expect(writes.join('')).not.toContain('\x1b[3');
  });
});

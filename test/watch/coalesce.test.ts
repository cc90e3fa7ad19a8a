import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { Coalescer } from '../../src/watch/coalesce.js';

describe('Coalescer', () => {
  let batches: string[][];
  let c: Coalescer;

  beforeEach(() => {
    vi.useFakeTimers();
    batches = [];
    c = new Coalescer({ quietMs: 200, maxWaitMs: 1000, deliver: (p) => batches.push(p) });
  });
  afterEach(() => {
    c.close();
    vi.useRealTimers();
  });

  it('delivers unique sorted paths after the quiet period', () => {
    c.add('/b');
    c.add('/a');
    c.add('/b');
    vi.advanceTimersByTime(199);
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(batches).toEqual([['/a', '/b']]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('restarts the quiet period on each path', () => {
    c.add('/a');
    vi.advanceTimersByTime(150);
    c.add('/b');
    vi.advanceTimersByTime(150);
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(50);
    expect(batches).toEqual([['/a', '/b']]);
  });

  it('does not restart the quiet period for a path already pending', () => {
    c.add('/a');
    vi.advanceTimersByTime(150);
    c.add('/a');
    vi.advanceTimersByTime(50);
    expect(batches).toEqual([['/a']]);
  });

  it('delivers after the maximum wait even if paths keep coming', () => {
    for (let t = 0; t < 1500; t += 100) {
      c.add(`/f${t}`);
      vi.advanceTimersByTime(100);
    }
    expect(batches.length).toBe(1);
    expect(batches[0]).toHaveLength(10);
  });

  it('waits for holds to be released, but not past the maximum wait', () => {
    c.add('/a');
    c.hold();
    vi.advanceTimersByTime(500);
    expect(batches).toEqual([]);
    c.add('/b');
    c.release();
    expect(batches).toEqual([]); // the quiet period restarted with /b
    vi.advanceTimersByTime(200);
    expect(batches).toEqual([['/a', '/b']]);

    c.add('/c');
    c.hold();
    vi.advanceTimersByTime(1000);
    expect(batches).toEqual([['/a', '/b'], ['/c']]);
    c.release();
  });

  it('delivers nothing after close()', () => {
    c.add('/a');
    c.close();
    vi.advanceTimersByTime(2000);
    expect(batches).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

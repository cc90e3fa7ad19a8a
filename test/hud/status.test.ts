import { describe, expect, it } from 'vitest';

import {
  formatUpdateTime,
  isBusy,
  lightOf,
  renderStatus,
  shouldUseStream,
  type HudResource,
  type HudView,
} from '../../src/hud/index.js';

const at = (d: number, h: number, m: number, s: number): number =>
  new Date(2024, 4, d, h, m, s).getTime();
const NOW = at(6, 15, 10, 0);

function res(name: string, over: Partial<HudResource>): HudResource {
  return {
    name,
    type: 'k8s',
    disabled: false,
    updateStatus: 'none',
    runtimeStatus: 'none',
    endpoints: [],
    ...over,
  };
}

const VIEW: HudView = {
  webUrl: 'http://localhost:10350/',
  resources: [
    res('(Tiltfile)', {
      type: 'tiltfile',
      updateStatus: 'ok',
      runtimeStatus: 'not_applicable',
      lastUpdate: at(6, 15, 4, 5),
    }),
    res('api', {
      updateStatus: 'in_progress',
      runtimeStatus: 'pending',
      endpoints: ['http://localhost:8080/'],
    }),
    res('db', {
      updateStatus: 'ok',
      runtimeStatus: 'error',
      detail: 'CrashLoopBackOff',
      lastUpdate: at(6, 15, 4, 7),
    }),
    res('worker', {
      type: 'local',
      updateStatus: 'pending',
      runtimeStatus: 'pending',
      detail: 'Waiting on 1 resource: db',
    }),
    res('web', {
      updateStatus: 'ok',
      runtimeStatus: 'ok',
      endpoints: ['http://localhost:3000/', 'http://localhost:3001/'],
      lastUpdate: at(5, 9, 0, 0),
    }),
    res('old', { disabled: true, endpoints: ['http://localhost:9/'], detail: 'gone' }),
  ],
};

const plain = { width: 200, color: false, spinnerFrame: 0, now: NOW };

describe('renderStatus', () => {
  it('renders a compact table under the web UI address', () => {
    expect(renderStatus(VIEW, plain)).toEqual([
      'Tilt started on http://localhost:10350/',
      '  RESOURCE    UPDATE    RUNTIME  UPDATED',
      '✔ (Tiltfile)  ok                 15:04:05',
      '⠋ api         updating  pending                http://localhost:8080/',
      '✖ db          ok        error    15:04:07      CrashLoopBackOff',
      '● worker      pending   pending                Waiting on 1 resource: db',
      '✔ web         ok        ok       May 05 09:00  http://localhost:3000/ http://localhost:3001/',
      '– old         disabled',
    ]);
  });

  it('cuts every line to the width, with an ellipsis', () => {
    const lines = renderStatus(VIEW, { ...plain, width: 30 });
    expect(lines).toEqual([
      'Tilt started on http://localh…',
      '  RESOURCE    UPDATE    RUNTI…',
      '✔ (Tiltfile)  ok             …',
      '⠋ api         updating  pendi…',
      '✖ db          ok        error…',
      '● worker      pending   pendi…',
      '✔ web         ok        ok   …',
      '– old         disabled',
    ]);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(30);
    expect(renderStatus(VIEW, { ...plain, width: 1 })).toEqual(Array(8).fill('…'));
  });

  it('colors glyphs, status words and details only when asked', () => {
    const lines = renderStatus(VIEW, { ...plain, color: true, spinnerFrame: 3 });
    const G = (s: string): string => `\x1b[32m${s}\x1b[0m`;
    const R = (s: string): string => `\x1b[31m${s}\x1b[0m`;
    const Y = (s: string): string => `\x1b[33m${s}\x1b[0m`;
    const D = (s: string): string => `\x1b[90m${s}\x1b[0m`;
    expect(lines).toEqual([
      'Tilt started on http://localhost:10350/',
      `  ${D('RESOURCE')}    ${D('UPDATE')}    ${D('RUNTIME')}  ${D('UPDATED')}`,
      `${G('✔')} (Tiltfile)  ${G('ok')}                 15:04:05`,
      `${Y('⠸')} api         ${Y('updating')}  ${Y('pending')}                http://localhost:8080/`,
      `${R('✖')} db          ${G('ok')}        ${R('error')}    15:04:07      ${R('CrashLoopBackOff')}`,
      `${Y('●')} worker      ${Y('pending')}   ${Y('pending')}                ${Y('Waiting on 1 resource: db')}`,
      `${G('✔')} web         ${G('ok')}        ${G('ok')}       May 05 09:00  http://localhost:3000/ http://localhost:3001/`,
      `${D('–')} ${D('old')}         ${D('disabled')}`,
    ]);
  });

  it('shows a banner under the header, and leaves out columns nobody fills', () => {
    const view: HudView = {
      webUrl: 'http://localhost:10350/',
      banner: 'Tiltfile error',
      resources: [res('(Tiltfile)', { type: 'tiltfile', updateStatus: 'error', detail: 'boom\n' })],
    };
    expect(renderStatus(view, plain)).toEqual([
      'Tilt started on http://localhost:10350/',
      'Tiltfile error',
      '  RESOURCE    UPDATE  RUNTIME',
      '✖ (Tiltfile)  error            boom',
    ]);
    expect(renderStatus({ ...view, banner: undefined, webUrl: undefined }, plain)[0]).toBe(
      'Tilt started',
    );
    expect(renderStatus({ resources: [] }, plain)).toEqual(['Tilt started']);
  });

  it('keeps a multi-line detail on one line', () => {
    const view: HudView = {
      resources: [res('a', { updateStatus: 'error', detail: 'line one\r\n  line two' })],
    };
    expect(renderStatus(view, plain)[2]).toBe('✖ a         error            line one line two');
  });

  it('turns the spinner with the frame number', () => {
    const view: HudView = { resources: [res('a', { updateStatus: 'in_progress' })] };
    const glyphAt = (spinnerFrame: number): string =>
      renderStatus(view, { ...plain, spinnerFrame })[2][0];
    expect([0, 1, 2, 9, 10, -1].map(glyphAt)).toEqual(['⠋', '⠙', '⠹', '⠏', '⠋', '⠏']);
  });
});

describe('lightOf', () => {
  const light = (over: Partial<HudResource>): string => lightOf(res('r', over));

  it('spins while updating, or while the runtime comes up after a deploy', () => {
    expect(light({ updateStatus: 'in_progress', runtimeStatus: 'error' })).toBe('busy');
    expect(light({ updateStatus: 'ok', runtimeStatus: 'pending' })).toBe('busy');
    expect(light({ updateStatus: 'not_applicable', runtimeStatus: 'pending' })).toBe('busy');
  });

  it('ranks errors over pending over ok', () => {
    expect(light({ updateStatus: 'error', runtimeStatus: 'ok' })).toBe('error');
    expect(light({ updateStatus: 'pending', runtimeStatus: 'error' })).toBe('error');
    expect(light({ updateStatus: 'pending', runtimeStatus: 'ok' })).toBe('pending');
    expect(light({ updateStatus: 'none', runtimeStatus: 'pending' })).toBe('pending');
    expect(light({ updateStatus: 'ok', runtimeStatus: 'unknown' })).toBe('pending');
    expect(light({ updateStatus: 'ok', runtimeStatus: 'not_applicable' })).toBe('ok');
    expect(light({ updateStatus: 'not_applicable', runtimeStatus: 'ok' })).toBe('ok');
    expect(light({ updateStatus: 'none', runtimeStatus: 'none' })).toBe('off');
    expect(light({ disabled: true, updateStatus: 'in_progress' })).toBe('off');
  });

  it('makes a view busy only through a spinning resource', () => {
    expect(isBusy(VIEW)).toBe(true);
    expect(isBusy({ resources: VIEW.resources.filter((r) => r.name !== 'api') })).toBe(false);
  });
});

describe('formatUpdateTime', () => {
  it('gives the time for today and the date before', () => {
    expect(formatUpdateTime(at(6, 0, 0, 1), NOW)).toBe('00:00:01');
    expect(formatUpdateTime(at(5, 23, 59, 59), NOW)).toBe('May 05 23:59');
  });
});

describe('shouldUseStream', () => {
  it('streams when asked, or when stdout is not a terminal', () => {
    expect(shouldUseStream({ stream: false, isTTY: true })).toBe(false);
    expect(shouldUseStream({ stream: true, isTTY: true })).toBe(true);
    expect(shouldUseStream({ stream: false, isTTY: false })).toBe(true);
    expect(shouldUseStream({ stream: true, isTTY: false })).toBe(true);
  });
});

// The terminal of `tilt up`: the status table, redrawn in place.

export type { HudResource, HudView, RuntimeStatus, UpdateStatus } from './types.js';
export { SPINNER_FRAMES, formatUpdateTime, isBusy, lightOf, renderStatus } from './status.js';
export type { Light, RenderOptions } from './status.js';
export { REDRAW_MS, SPINNER_MS, TerminalHud } from './terminal.js';
export type { TerminalHudOptions } from './terminal.js';
export { shouldUseStream } from './mode.js';

// The status table of `tilt up`, kept up to date in place in a terminal.

import { CLEAR_DOWN, cursorUp } from './ansi.js';
import { isBusy, renderStatus } from './status.js';
import type { HudView } from './types.js';

/** At most one redraw per this many ms, however fast views come. */
export const REDRAW_MS = 100;
/** Spinner frame rate, only while something is busy. */
export const SPINNER_MS = 120;

export interface TerminalHudOptions {
  write: (s: string) => void;
  /** The terminal's width now (it can be resized between redraws). */
  columns: () => number;
  color: boolean;
  /** The clock, for update times; Date.now by default. */
  now?: () => number;
}

/**
 * Draws the table below whatever was printed before, and redraws it by moving
 * the cursor back up over it and clearing to the end of the screen. Lines
 * printed with message() go above the table.
 *
 * Idle costs nothing: the only timers are one pending redraw after an update
 * and the spinner while some resource is busy.
 */
export class TerminalHud {
  private readonly write: (s: string) => void;
  private readonly columns: () => number;
  private readonly color: boolean;
  private readonly now: () => number;

  private view: HudView | undefined;
  /** Lines of the table now on screen, to move back over. */
  private drawnLines = 0;
  /** The table now on screen, to skip redraws that change nothing. */
  private drawnText = '';
  private redrawTimer: ReturnType<typeof setTimeout> | undefined;
  private spinnerTimer: ReturnType<typeof setInterval> | undefined;
  private frame = 0;
  private stopped = false;

  constructor(opts: TerminalHudOptions) {
    this.write = opts.write;
    this.columns = opts.columns;
    this.color = opts.color;
    this.now = opts.now ?? Date.now;
  }

  /** Shows `view`, coalescing bursts into one redraw within REDRAW_MS. */
  update(view: HudView): void {
    if (this.stopped) return;
    this.view = view;
    if (this.redrawTimer !== undefined) return;
    this.redrawTimer = setTimeout(() => {
      this.redrawTimer = undefined;
      this.draw();
    }, REDRAW_MS);
    this.redrawTimer.unref?.();
  }

  /** Prints a line (e.g. an error) above the table, which stays at the bottom. */
  message(line: string): void {
    const text = line.endsWith('\n') ? line : `${line}\n`;
    if (this.stopped || this.view === undefined) {
      // No live table below: after stop(), the final one stays where it is.
      this.write(text);
      return;
    }
    // The table has to be drawn again below the line anyway: do it now, with
    // the latest view, which also serves any pending redraw.
    this.cancelRedraw();
    this.draw(text);
  }

  /** Draws the final table, if it is not on screen yet, and stops every timer. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.cancelRedraw();
    this.draw(); // also stops the spinner, as nothing animates once stopped
  }

  /** Redraws the table, after `above` when given. */
  private draw(above = ''): void {
    if (this.view === undefined) return;
    const lines = renderStatus(this.view, {
      width: Math.max(1, this.columns()),
      color: this.color,
      spinnerFrame: this.frame,
      now: this.now(),
    });
    const text = lines.map((l) => `${l}\n`).join('');
    if (above !== '' || text !== this.drawnText) {
      this.write(this.erase() + above + text);
      this.drawnLines = lines.length;
      this.drawnText = text;
    }
    this.syncSpinner();
  }

  /** Escape codes that take the cursor back to the top of the table and clear it. */
  private erase(): string {
    return this.drawnLines > 0 ? cursorUp(this.drawnLines) + CLEAR_DOWN : '';
  }

  private cancelRedraw(): void {
    if (this.redrawTimer === undefined) return;
    clearTimeout(this.redrawTimer);
    this.redrawTimer = undefined;
  }

  /** Runs the spinner exactly while the view on screen has something busy. */
  private syncSpinner(): void {
    const busy = !this.stopped && this.view !== undefined && isBusy(this.view);
    if (busy && this.spinnerTimer === undefined) {
      this.spinnerTimer = setInterval(() => {
        this.frame += 1;
        // A pending redraw will show the new frame with the newer view.
        if (this.redrawTimer === undefined) this.draw();
      }, SPINNER_MS);
      this.spinnerTimer.unref?.();
    } else if (!busy && this.spinnerTimer !== undefined) {
      clearInterval(this.spinnerTimer);
      this.spinnerTimer = undefined;
    }
  }
}

// Which terminal UI `tilt up` runs.

/**
 * Whether to stream logs instead of drawing the status table. Like Tilt,
 * `--stream` asks for it, and a stdout that is not a terminal (a pipe, a
 * file, CI) forces it: cursor moves would only garble the output there.
 */
export function shouldUseStream(opts: { stream: boolean; isTTY: boolean }): boolean {
  return opts.stream || !opts.isTTY;
}

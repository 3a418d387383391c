/**
 * A one-line progress display on stderr: rewritten in place on a terminal, a plain line every
 * `every` updates otherwise (so logs of CI runs stay short).
 */
export class Progress {
  private count = 0;
  private shown = false;

  constructor(
    private readonly stream: { write(text: string): unknown; isTTY?: boolean },
    private readonly every = 100,
  ) {}

  update(text: string): void {
    this.count++;
    if (this.stream.isTTY === true) {
      this.stream.write(`\r\x1b[2K${text}`);
      this.shown = true;
    } else if (this.count % this.every === 0) {
      this.stream.write(`${text}\n`);
    }
  }

  done(text: string): void {
    this.stream.write(`${this.shown ? '\r\x1b[2K' : ''}${text}\n`);
    this.shown = false;
  }
}

/**
 * A bar for a residual falling towards a tolerance: the share of the way, on a log scale, from the
 * first residual seen to the tolerance (residuals fall geometrically, so linear would sit at 99%).
 */
export class ResidualBar {
  private first: number | undefined;

  constructor(
    private readonly tolerance: number,
    private readonly width = 20,
  ) {}

  render(residual: number): string {
    const start = (this.first ??= Math.max(residual, this.tolerance * 10));
    const share = residual <= this.tolerance ? 1 : Math.min(1, Math.max(0, Math.log(start / residual) / Math.log(start / this.tolerance)));
    const filled = Math.round(share * this.width);
    return `[${'#'.repeat(filled)}${'.'.repeat(this.width - filled)}] ${Math.round(share * 100)
      .toString()
      .padStart(3)}%`;
  }
}

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

import { Progress, ResidualBar } from '../src/progress.js';

describe('progress', () => {
  test('the residual bar fills on a log scale from the first residual to the tolerance', () => {
    const bar = new ResidualBar(1e-3, 10);
    expect(bar.render(1)).toBe('[..........]   0%');
    expect(bar.render(3.2e-2)).toBe('[#####.....]  50%');
    expect(bar.render(1e-3)).toBe('[##########] 100%');
    // A residual that rises above the first one does not draw a negative bar.
    expect(bar.render(5)).toBe('[..........]   0%');
  });

  test('a first residual near the tolerance is measured from a decade above it', () => {
    expect(new ResidualBar(1e-3, 10).render(2e-3)).toBe('[#######...]  70%');
  });

  test('on a terminal lines are rewritten in place, elsewhere one line every n updates', () => {
    const tty = { text: '', isTTY: true, write(t: string) { this.text += t; } };
    const log = { text: '', write(t: string) { this.text += t; } };
    for (const stream of [tty, log]) {
      const progress = new Progress(stream, 2);
      progress.update('a');
      progress.update('b');
      progress.done('done');
    }
    expect(tty.text).toBe('\r\x1b[2Ka\r\x1b[2Kb\r\x1b[2Kdone\n');
    expect(log.text).toBe('b\ndone\n');
  });
});

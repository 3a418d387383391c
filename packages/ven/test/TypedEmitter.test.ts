import { TypedEmitter } from '../src/TypedEmitter.js';

interface Events {
  ping: [n: number];
  error: [error: unknown];
}

class Emitter extends TypedEmitter<Events> {
  fire(n: number): void {
    this.emit('ping', n);
  }
}

describe('TypedEmitter', () => {
  it('delivers arguments to listeners and resolves next()', async () => {
    const emitter = new Emitter();
    const seen: number[] = [];
    emitter.on('ping', (n) => seen.push(n));
    const next = emitter.next('ping');
    emitter.fire(7);
    expect(await next).toEqual([7]);
    expect(seen).toEqual([7]);
  });

  it('reports a throwing listener on error and still calls the others', () => {
    const emitter = new Emitter();
    const errors: unknown[] = [];
    const seen: number[] = [];
    emitter.on('error', (error) => errors.push(error));
    emitter.on('ping', () => {
      throw new Error('listener bug');
    });
    emitter.on('ping', (n) => seen.push(n));
    emitter.fire(1);
    expect(errors).toEqual([new Error('listener bug')]);
    expect(seen).toEqual([1]);
  });

  it('refuses unknown event names and wrong listener arguments at compile time', () => {
    const emitter = new Emitter();
    // @ts-expect-error: no such event
    emitter.on('pong', () => undefined);
    // @ts-expect-error: ping carries a number
    emitter.on('ping', (n: string) => n);
    expect(emitter.listenerCount('ping')).toBe(1);
  });

  it('does not throw when error has no listener, unlike a bare EventEmitter', () => {
    const emitter = new Emitter();
    emitter.on('ping', () => {
      throw new Error('listener bug');
    });
    expect(() => emitter.fire(1)).not.toThrow();
  });
});

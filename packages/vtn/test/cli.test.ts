import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseVtnArgs, runVtnCli, startVtnFromArgs } from '../src/index.js';

function sink(): Writable & { text: string } {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      stream.text += chunk.toString();
      done();
    },
  }) as Writable & { text: string };
  stream.text = '';
  return stream;
}

describe('oadr vtn command line', () => {
  it('parses --config in both spellings and refuses unknown arguments', () => {
    expect(parseVtnArgs(['--config', 'a.json'])).toEqual({ configFile: 'a.json', help: false });
    expect(parseVtnArgs(['--config=b.json'])).toEqual({ configFile: 'b.json', help: false });
    expect(parseVtnArgs(['-h']).help).toBe(true);
    expect(() => parseVtnArgs(['--config'])).toThrow(/needs a file/);
    expect(() => parseVtnArgs(['--port', '1'])).toThrow(/unknown argument --port/);
  });

  it('prints the usage for --help and exits 2 on a bad command line', async () => {
    const out = sink();
    expect(await runVtnCli(['--help'], out)).toBe(0);
    expect(out.text).toMatch(/usage: oadr vtn/);
    expect(await runVtnCli(['--nope'], out)).toBe(2);
  });

  it('exits 1 naming the fields of an invalid configuration file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vtn-cli-'));
    try {
      writeFileSync(join(dir, 'vtn.json'), JSON.stringify({ listen: { port: 'eighty' } }));
      const out = sink();
      expect(await runVtnCli(['--config', join(dir, 'vtn.json')], out)).toBe(1);
      expect(out.text).toMatch(/listen\/port/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts a VTN from a configuration file, with its storage beside it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vtn-cli-'));
    try {
      writeFileSync(
        join(dir, 'vtn.json'),
        JSON.stringify({ vtnID: 'utility-1', listen: { port: 0 }, admin: { port: 0, token: 'cli-token-0123456789' }, storage: { type: 'sqlite', path: 'state.db' }, logLevel: 'silent' }),
      );
      const vtn = await startVtnFromArgs(['--config', join(dir, 'vtn.json')]);
      try {
        expect(vtn.app.config.vtnID).toBe('utility-1');
        expect(vtn.app.config.storage).toEqual({ type: 'sqlite', path: join(dir, 'state.db') });
        const health = await fetch(`${vtn.adminUrl}/health`);
        expect(health.status).toBe(200);
      } finally {
        await vtn.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseVtnArgs, runVtnCli, startVtnFromArgs, VTN_ENV_VARIABLES, VTN_USAGE } from '../src/index.js';

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

describe('oadr vtn with OADR_VTN_* variables', () => {
  it('lists every variable in the usage and in the README table', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    for (const name of Object.keys(VTN_ENV_VARIABLES)) {
      expect(VTN_USAGE).toContain(name);
      expect(readme).toContain(`| \`${name}\` |`);
    }
  });

  it('exits 1 naming the variable of a bad value', async () => {
    const out = sink();
    expect(await runVtnCli([], out, { OADR_VTN_ADMIN_PORT: 'eighty', OADR_VTN_LOG_LEVEL: 'silent' })).toBe(1);
    expect(out.text).toMatch(/config\/admin\/port \(from OADR_VTN_ADMIN_PORT\): must be integer/);
  });

  it('overrides the file: listeners, token, storage and log level', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vtn-cli-'));
    try {
      writeFileSync(join(dir, 'vtn.json'), JSON.stringify({ vtnID: 'utility-1', listen: { port: 8443 }, admin: { port: 8081, token: 'token-from-the-file-0123' }, storage: { type: 'sqlite', path: 'file.db' } }));
      const env = {
        OADR_VTN_LISTEN_HOST: '127.0.0.1',
        OADR_VTN_LISTEN_PORT: '0',
        OADR_VTN_ADMIN_HOST: '127.0.0.1',
        OADR_VTN_ADMIN_PORT: '0',
        OADR_VTN_ADMIN_TOKEN: 'token-from-the-environment',
        OADR_VTN_STORAGE_PATH: join(dir, 'env.db'),
        OADR_VTN_LOG_LEVEL: 'silent',
      };
      const vtn = await startVtnFromArgs(['--config', join(dir, 'vtn.json')], env);
      try {
        expect(vtn.app.config).toMatchObject({ vtnID: 'utility-1', logLevel: 'silent', storage: { type: 'sqlite', path: join(dir, 'env.db') } });
        expect(vtn.adminUrl).not.toMatch(/:8081$/);
        const as = (token: string): Promise<Response> => fetch(`${vtn.adminUrl}/admin/v1/vens`, { headers: { authorization: `Bearer ${token}` } });
        expect((await as('token-from-the-environment')).status).toBe(200);
        expect((await as('token-from-the-file-0123')).status).toBe(401);
        expect(existsSync(join(dir, 'env.db'))).toBe(true);
        expect(existsSync(join(dir, 'file.db'))).toBe(false);
      } finally {
        await vtn.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs without a file from the variables alone and never logs the token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vtn-cli-'));
    const token = 'env-only-token-9f8e7d6c5b4a';
    const child = spawn(process.execPath, ['-r', join(__dirname, 'helpers', 'registerTs.js'), join(__dirname, '..', 'src', 'bin.ts')], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        OADR_VTN_LISTEN_PORT: '0',
        OADR_VTN_ADMIN_PORT: '0',
        OADR_VTN_ADMIN_TOKEN: token,
        OADR_VTN_STORAGE_PATH: 'from-env.db',
        OADR_VTN_LOG_LEVEL: 'debug',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const adminUrl = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the VTN did not start: ${output}`)), 20_000);
        child.stdout.on('data', () => {
          const match = /"adminUrl":"([^"]+)"/.exec(output);
          if (match?.[1] !== undefined) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
      });
      const response = await fetch(`${adminUrl}/admin/v1/vens`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      expect(existsSync(join(dir, 'from-env.db'))).toBe(true);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    }
    expect(output).toMatch(/VTN listening/);
    expect(output).not.toContain(token);
  }, 30_000);
});

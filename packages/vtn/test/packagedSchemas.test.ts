import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { VTN_SCHEMA_DIR } from '../src/index.js';

const PACKAGE_DIR = resolve(__dirname, '..');
const PUBLISHED_DIR = resolve(PACKAGE_DIR, '..', '..', 'schemas', 'vtn');

describe('the schemas the VTN reads at run time', () => {
  it('are the package copy, identical to the published reference in schemas/vtn', () => {
    expect(VTN_SCHEMA_DIR).toBe(join(PACKAGE_DIR, 'schemas'));
    const files = readdirSync(VTN_SCHEMA_DIR).sort();
    expect(files).toEqual(['config.schema.json', 'openapi.json']);
    expect(readdirSync(PUBLISHED_DIR).sort()).toEqual(files);
    const differing = files
      .filter((file) => readFileSync(join(VTN_SCHEMA_DIR, file), 'utf8') !== readFileSync(join(PUBLISHED_DIR, file), 'utf8'))
      .map((file) => `packages/vtn/schemas/${file} and schemas/vtn/${file} differ: edit one, copy it over the other`);
    expect(differing).toEqual([]);
  });

  it('go into the npm package', () => {
    const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: PACKAGE_DIR, encoding: 'utf8', timeout: 30_000 })) as Array<{ files: Array<{ path: string }> }>;
    const paths = (packed[0]?.files ?? []).map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['schemas/config.schema.json', 'schemas/openapi.json', 'dashboard/app.js', 'package.json']));
  });

  it('let a copy of the package run where the repository schemas/ cannot be reached', async () => {
    // A copy one level deeper than the package: the old path, three directories up, now finds no
    // schemas/vtn, while node_modules still resolve through the parent directories.
    const scratch = mkdtempSync(join(PACKAGE_DIR, '.packaged-'));
    const copy = join(scratch, 'vtn');
    for (const part of ['src', 'schemas', 'dashboard', 'package.json']) cpSync(join(PACKAGE_DIR, part), join(copy, part), { recursive: true });
    expect(existsSync(join(copy, 'src', '..', '..', '..', 'schemas', 'vtn'))).toBe(false);
    const token = 'packaged-token-0123456789';
    const child = spawn(process.execPath, ['-r', join(__dirname, 'helpers', 'registerTs.js'), join(copy, 'src', 'bin.ts')], {
      cwd: scratch,
      env: { PATH: process.env.PATH, OADR_VTN_LISTEN_PORT: '0', OADR_VTN_ADMIN_PORT: '0', OADR_VTN_ADMIN_TOKEN: token, OADR_VTN_STORAGE_PATH: ':memory:' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const adminUrl = await new Promise<string>((resolveUrl, reject) => {
        const timer = setTimeout(() => reject(new Error(`the VTN did not start: ${output}`)), 20_000);
        child.on('exit', (code) => reject(new Error(`the VTN exited with ${String(code)}: ${output}`)));
        child.stdout.on('data', () => {
          const match = /"adminUrl":"([^"]+)"/.exec(output);
          if (match?.[1] !== undefined) {
            clearTimeout(timer);
            resolveUrl(match[1]);
          }
        });
      });
      // The admin API validates bodies with openapi.json, which it reads on the first one.
      const response = await fetch(`${adminUrl}/admin/v1/vens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ venID: 'v1', bogus: true }),
      });
      expect(response.status).toBe(400);
      expect(JSON.stringify(await response.json())).toMatch(/bogus/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 30_000);
});

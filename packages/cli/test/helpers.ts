import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../src/index.js';

const made: string[] = [];

// Registered in each test file that imports this module: its directories go when its tests are done.
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test file's tests. */
export function tempDir(prefix = 'oadr-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Runs the CLI in-process with captured output, in a fresh temporary working directory. */
export async function run(argv: string[], cwd = tempDir()): Promise<{ code: number; out: string; err: string; cwd: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    cwd,
  });
  return { code, out, err, cwd };
}

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../src/index.js';

/** Runs the CLI in-process with captured output, in a fresh temporary working directory. */
export async function run(argv: string[], cwd = mkdtempSync(join(tmpdir(), 'oadr-cli-'))): Promise<{ code: number; out: string; err: string; cwd: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    cwd,
  });
  return { code, out, err, cwd };
}

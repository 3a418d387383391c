import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** A VTN in a process of its own (vtnProcess.ts on a SQLite file), for tests that kill it. */
export interface ChildVtn {
  process: ChildProcess;
  url: string;
  adminUrl: string;
}

export async function startChildVtn(db: string): Promise<ChildVtn> {
  const child = spawn(process.execPath, ['-r', join(__dirname, 'registerTs.js'), join(__dirname, 'vtnProcess.ts'), db], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`VTN process exited with ${String(code)}`)));
  });
  lines.close();
  const { url, adminUrl } = JSON.parse(first) as { url: string; adminUrl: string };
  return { process: child, url, adminUrl };
}

/** SIGKILL: no shutdown code runs, as when the machine loses power or the process is killed. */
export async function killChildVtn(child: ChildVtn): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  const exited = new Promise((resolve) => child.process.once('exit', resolve));
  child.process.kill('SIGKILL');
  await exited;
}

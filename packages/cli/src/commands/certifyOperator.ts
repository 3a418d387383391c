import { spawn } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { CaseSkipped, type OperatorPrompt } from '@oadr-kit/certify';
import type { CliIo } from '../io.js';

/** A prompt of either suite: words for a person, an action for a script. */
interface Prompt {
  readonly text: string;
  readonly action: unknown;
}
type Operator<P extends Prompt> = (prompt: P) => Promise<void>;

/**
 * A person at the VTN's console: each prompt is printed on stderr and the run waits for Enter (done)
 * or `skip` (the case is reported skipped). Returns the operator and a close for the line reader.
 */
export function consoleOperator<P extends Prompt = OperatorPrompt>(io: CliIo, input: NodeJS.ReadableStream): { operator: Operator<P>; close(): void } {
  const lines: Interface = createInterface({ input, terminal: false });
  const waiting: Array<(line: string | undefined) => void> = [];
  // Lines typed ahead of a prompt answer the next prompts, in order.
  const early: string[] = [];
  let closed = false;
  lines.on('line', (line) => {
    const resolve = waiting.shift();
    if (resolve === undefined) early.push(line);
    else resolve(line);
  });
  lines.on('close', () => {
    closed = true;
    for (const resolve of waiting.splice(0)) resolve(undefined);
  });
  const nextLine = (): Promise<string | undefined> =>
    early.length > 0 ? Promise.resolve(early.shift()) : closed ? Promise.resolve(undefined) : new Promise((resolve) => waiting.push(resolve));
  return {
    async operator({ text }) {
      io.stderr.write(`\noperator: ${text}\n  press Enter when done, or type skip: `);
      const answer = await nextLine();
      if (answer === undefined) throw new CaseSkipped(`no operator answered (input closed): ${text}`);
      if (answer.trim().toLowerCase() === 'skip') throw new CaseSkipped(`the operator skipped: ${text}`);
    },
    close: () => lines.close(),
  };
}

/**
 * An unattended operator: `command` runs in a shell once per prompt with the prompt as JSON on stdin
 * ({ text, action }); exit 0 means done, any other exit fails the case with the command's stderr.
 */
export function scriptOperator<P extends Prompt = OperatorPrompt>(command: string, cwd: string): Operator<P> {
  return (prompt) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(command, { cwd, shell: true, stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) resolve();
        else reject(new Error(`operator script exited with ${code ?? 'a signal'}${stderr.trim() === '' ? '' : `: ${stderr.trim().split('\n').pop() ?? ''}`}`));
      });
      child.stdin.end(JSON.stringify(prompt));
    });
}

/** Where a command writes: injected so tests capture output and the real binary uses the process streams. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
  /** The working directory relative paths are resolved against. */
  readonly cwd: string;
  /** Where a command reads a person's answers (oadr certify vtn's operator prompts); absent when nobody can answer. */
  readonly stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), stdin: process.stdin };
}

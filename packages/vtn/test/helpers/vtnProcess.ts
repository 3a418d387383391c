// A VTN in a process of its own, for tests that kill it: `node -r registerTs.js vtnProcess.ts DB_PATH`.
// Prints one JSON line with its URLs once it listens.
import pino from 'pino';
import { startVtn } from '../../src/index.js';

async function main(): Promise<void> {
  const path = process.argv[2];
  if (path === undefined) throw new Error('usage: vtnProcess.ts DB_PATH');
  const vtn = await startVtn({
    listen: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0, token: 'test-token-0123456789' },
    storage: { type: 'sqlite', path },
    logger: pino({ level: 'silent' }),
    processMetrics: false,
  });
  process.stdout.write(`${JSON.stringify({ url: vtn.url, adminUrl: vtn.adminUrl })}\n`);
  process.on('SIGTERM', () => {
    void vtn.close().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});

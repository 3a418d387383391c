import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { numberOption, parseOptions } from '../args.js';
import { CliUsageError, ExitCode } from '../CliError.js';
import type { CliIo } from '../io.js';
import { readScenarioFile, type NegotiationScenario } from '../scenario.js';
import { allRegistered, startScenarioVens, stopScenarioVens } from '../scenarioVens.js';

export const VEN_HELP = `Usage: oadr ven --scenario <file.json> --vtn <url> --pki <dir> [options]

Runs the VENs of a scenario as simulated sites: one OpenADR 2.0b VEN client each, over mutual TLS.
Each answers the VTN's negotiation rounds with its own device models (only its projected profile
leaves the site) and executes the agreed schedule. Runs until interrupted (Ctrl-C).

Certificates come from a dev PKI directory: <dir>/ca-bundle.pem and, per VEN, <name>.chain.pem and
<name>.key.pem, as "oadr certs init --dir <dir>" and "oadr certs issue-ven --dir <dir> --name <name>"
make them.

Options:
  --scenario <file>       the scenario (its "vens": names and devices)
  --vtn <url>             the VTN's root URL, e.g. https://127.0.0.1:8443
  --pki <dir>             the dev PKI directory
  --only <a,b>            run only these VENs of the scenario
  --pull                  poll the VTN instead of taking pushes on a listener of each VEN's own
  --poll-interval <ms>    poll interval in pull mode (default 1000)
  -h, --help              show this help
`;

/** What a VEN process tells the process that started it (when it has an IPC channel). */
export type VenProcessMessage =
  | { type: 'registered'; name: string; venID: string }
  | { type: 'agreed'; name: string; costEur: number; rounds: number; messages: number; bytes: number; schedules: Record<string, number[]> }
  | { type: 'ready' }
  | { type: 'failed'; message: string };

export async function venCommand(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseOptions('ven', argv, { scenario: 'string', vtn: 'string', pki: 'string', only: 'string', pull: 'boolean', 'poll-interval': 'string' });
  if (values.help) {
    io.stdout.write(VEN_HELP);
    return ExitCode.OK;
  }
  for (const required of ['scenario', 'vtn', 'pki'] as const) if (values[required] === undefined) throw new CliUsageError(`ven: --${required} is required`);
  const vtnUrl = values.vtn ?? '';
  if (!/^https?:\/\/[^/]+/.test(vtnUrl)) throw new CliUsageError(`ven: --vtn must be an http(s) URL, got "${vtnUrl}"`);
  const pollIntervalMs = numberOption('ven', 'poll-interval', values['poll-interval'], 1000, 10, 3_600_000);
  const full = readScenarioFile(resolve(io.cwd, values.scenario ?? ''), 'ven');
  const scenario = onlyVens(full, values.only);
  const pki = resolve(io.cwd, values.pki ?? '');
  const read = (file: string) => {
    try {
      return readFileSync(join(pki, file), 'utf8');
    } catch (error) {
      throw new CliUsageError(`ven: cannot read ${join(pki, file)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  };
  const caPem = read('ca-bundle.pem');
  const credentials = new Map(scenario.vens.map((v) => [v.name, { certPem: read(`${v.name}.chain.pem`), keyPem: read(`${v.name}.key.pem`) }]));
  const tell = (message: VenProcessMessage) => process.send?.(message);
  const vens = await startScenarioVens(scenario, {
    vtnUrl,
    caPem,
    credentials: (name) => credentials.get(name) ?? { certPem: '', keyPem: '' },
    push: values.pull !== true,
    pollIntervalMs,
    onError: (ven, error) => io.stderr.write(`${ven.name}: ${error.code}: ${error.message}\n`),
    onRegistered: (ven) => {
      const venID = ven.registration?.venID ?? '';
      io.stdout.write(`${ven.ven.name} registered as ${venID}\n`);
      tell({ type: 'registered', name: ven.ven.name, venID });
    },
    onAgreed: (ven) => {
      const agreed = ven.agreed;
      if (agreed === undefined) return;
      const { targetKw, slotMs } = agreed.round;
      const kwh = targetKw.reduce((sum, kw) => sum + kw, 0) * (slotMs / 3_600_000);
      io.stdout.write(`${ven.ven.name} agreed after ${ven.rounds} rounds: ${kwh.toFixed(1)} kWh net, private cost ${agreed.costEur.toFixed(2)}\n`);
      tell({
        type: 'agreed',
        name: ven.ven.name,
        costEur: agreed.costEur,
        rounds: ven.rounds,
        messages: ven.messages,
        bytes: ven.bytes,
        schedules: Object.fromEntries([...agreed.schedules].map(([id, kw]) => [id, Array.from(kw)])),
      });
    },
  });
  try {
    await allRegistered(vens, 60_000);
    io.stdout.write(`${vens.length} VEN(s) registered with ${vtnUrl}\n`);
    tell({ type: 'ready' });
    await stopSignal();
    return ExitCode.OK;
  } finally {
    await stopScenarioVens(vens);
  }
}

function onlyVens(scenario: NegotiationScenario, only: string | undefined): NegotiationScenario {
  if (only === undefined) return scenario;
  const names = only.split(',').map((n) => n.trim()).filter((n) => n !== '');
  const unknown = names.find((n) => !scenario.vens.some((v) => v.name === n));
  if (unknown !== undefined) throw new CliUsageError(`ven: --only names "${unknown}", which the scenario does not have`);
  return { ...scenario, vens: scenario.vens.filter((v) => names.includes(v.name)) };
}

/** Resolves on SIGINT or SIGTERM, or when the parent process says stop (or goes away). */
function stopSignal(): Promise<void> {
  return new Promise((resolveStop) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.off('message', onMessage);
      process.off('disconnect', stop);
      resolveStop();
    };
    const onMessage = (message: unknown) => {
      if ((message as { type?: unknown } | null)?.type === 'stop') stop();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    process.on('message', onMessage);
    process.once('disconnect', stop);
  });
}

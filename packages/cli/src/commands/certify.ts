import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  adminApiOperator,
  HarnessVen,
  HarnessVtn,
  junitXml,
  runCases,
  summarize,
  summaryHtml,
  summaryTable,
  VEN_PULL_CASES,
  VEN_PUSH_CASES,
  VTN_PULL_CASES,
  VTN_PUSH_CASES,
  type CaseResult,
  type ExchangeModel,
  type OperatorPrompt,
  type VenOperatorPrompt,
} from '@oadr-kit/certify';
import { numberOption, parseOptions } from '../args.js';
import { CliUsageError, ExitCode } from '../CliError.js';
import type { CliIo } from '../io.js';
import { consoleOperator, scriptOperator } from './certifyOperator.js';

export const CERTIFY_HELP = `Usage: oadr certify vtn --target <url> --cert <pem> --key <pem> --ca <pem> [options]
       oadr certify ven --listen <host:port> --cert <pem> --key <pem> --ca <pem> [options]

Runs the OpenADR 2.0b certification cases over mutual TLS and reports each case (harness names:
N1_0020_TH_VEN ...) with the reason of any failure. Every message of the device under test is held
to the 2.0b schema and conformance rules.

  vtn   plays a VEN (pull, push or one after the other: --model) against the VTN at --target
  ven   plays a VTN on --listen (pull, push or one after the other: --model) and waits for the
        VEN under test to register there

Options:
  --target <url>          (vtn) the VTN's base URL (services under /OpenADR2/Simple/2.0b)
  --listen <host:port>    (ven) where the harness VTN listens (default 127.0.0.1:0, printed)
  --wait <s>              (ven) how long to wait for the VEN to register (default 120)
  --model <pull|push|both>
                          (ven) the exchange model of the VEN under test (default pull); both
                          runs the pull suite, then waits for the VEN to register again for push;
                          (vtn) the model the harness VEN registers with (default pull); both
                          runs the pull suite, then the push suite
  --push-listen <host:port>
                          (vtn, push) where the harness VEN takes the VTN's pushes, with --cert
                          as its server certificate (default 127.0.0.1:0)
  --push-address <url>    (vtn, push) the oadrTransportAddress to register, when the VTN reaches
                          the listener by another address (default the listener's URL)
  --push-polls            (ven) the push VEN is configured to poll as well (case A_E0_0290)
  --cert, --key <pem>     the harness's certificate (chain) and key
  --ca <pem>              CA bundle the other side's certificate must chain to
  --stranger-cert, --stranger-key <pem>
                          (vtn) a second certificate the VTN never registered (case N1_0080;
                          without it that case is skipped); (ven) the certificate of a party
                          the VEN never registered with, pushing to it (case N0_5080)
  --newcomer-cert, --newcomer-key <pem>
                          (vtn) a certificate the VTN has never seen, registered under a venID
                          the operator pre-allocates (case N1_0025)
  --operator-script <cmd> run <cmd> in a shell for each operator step (vtn: create an event,
                          request a report, ...; ven: opt out, send an opt schedule, cancel
                          the registration, ...) with {"text","action"} JSON on stdin; exit 0
                          means done. Without it, and with a terminal on stdin, each step is
                          printed and the run waits for Enter (or "skip")
  --admin-url <url>, --admin-token <token>
                          (vtn) carry out the operator steps through an oadr-kit VTN's admin API
  --select <ids>          comma-separated case ids or patterns (e.g. N1_*,E1_1050_TH_VEN)
  --timeout <s>           limit per case in seconds (default 30)
  --junit <file>          write JUnit XML
  --html <file>           write an HTML summary
  -h, --help              show this help

Exit codes: 0 every selected case passed, 1 a case failed, 2 the command line is wrong.
`;

export async function certifyCommand(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const [target, ...rest] = argv;
  if (target === undefined || target === '--help' || target === '-h') {
    io.stdout.write(CERTIFY_HELP);
    return target === undefined ? ExitCode.USAGE : ExitCode.OK;
  }
  if (target !== 'vtn' && target !== 'ven') throw new CliUsageError(`certify: "${target}" is not a suite (use oadr certify vtn or oadr certify ven)`);
  if (target === 'ven') return certifyVen(rest, io);
  const { values } = parseOptions('certify vtn', rest, {
    target: 'string',
    cert: 'string',
    key: 'string',
    ca: 'string',
    'stranger-cert': 'string',
    'stranger-key': 'string',
    'newcomer-cert': 'string',
    'newcomer-key': 'string',
    'operator-script': 'string',
    'admin-url': 'string',
    'admin-token': 'string',
    model: 'string',
    'push-listen': 'string',
    'push-address': 'string',
    select: 'string',
    timeout: 'string',
    junit: 'string',
    html: 'string',
  });
  if (values.help) {
    io.stdout.write(CERTIFY_HELP);
    return ExitCode.OK;
  }
  const command = 'certify vtn';
  const model = values.model ?? 'pull';
  if (model !== 'pull' && model !== 'push' && model !== 'both') throw new CliUsageError(`${command}: --model must be pull, push or both, got "${model}"`);
  const pushListen = /^(.+):(\d+)$/.exec(values['push-listen'] ?? '127.0.0.1:0');
  if (pushListen === null || Number(pushListen[2]) > 65535) throw new CliUsageError(`${command}: --push-listen must be host:port, got "${values['push-listen']}"`);
  const baseUrl = values.target;
  if (baseUrl === undefined) throw new CliUsageError(`${command}: --target is required`);
  if (!/^https:\/\//.test(baseUrl)) throw new CliUsageError(`${command}: --target must be an https:// URL, got "${baseUrl}"`);
  const ca = readPem(command, 'ca', values.ca, io);
  const harness = (name: string, certOption: string, cert: string | undefined, keyOption: string, key: string | undefined, push = false) => {
    const credentials = [{ certificatePem: readPem(command, certOption, cert, io), keyPem: readPem(command, keyOption, key, io) }];
    const address = values['push-address'];
    const listener = { credentials, host: pushListen[1]!, port: Number(pushListen[2]), ...(address === undefined ? {} : { transportAddress: address }) };
    return new HarnessVen({ baseUrl, ca, venName: name, credentials, ...(push ? { push: listener } : {}) });
  };
  const timeoutMs = numberOption(command, 'timeout', values.timeout, 30, 1, 3600) * 1000;
  const strangerCert = values['stranger-cert'];
  const strangerKey = values['stranger-key'];
  if ((strangerCert === undefined) !== (strangerKey === undefined)) throw new CliUsageError(`${command}: give both --stranger-cert and --stranger-key, or neither`);
  const newcomerCert = values['newcomer-cert'];
  const newcomerKey = values['newcomer-key'];
  if ((newcomerCert === undefined) !== (newcomerKey === undefined)) throw new CliUsageError(`${command}: give both --newcomer-cert and --newcomer-key, or neither`);
  if ((values['admin-url'] === undefined) !== (values['admin-token'] === undefined)) throw new CliUsageError(`${command}: give both --admin-url and --admin-token, or neither`);
  const operator = vtnOperator(values, io);
  const sessions = model === 'both' ? (['pull', 'push'] as const) : [model];
  // One VEN per model: the push one registers its listener, the pull one polls.
  const vens = sessions.map((session) => harness('oadr-certify', 'cert', values.cert, 'key', values.key, session === 'push'));
  const stranger = strangerCert === undefined ? undefined : harness('oadr-certify-stranger', 'stranger-cert', strangerCert, 'stranger-key', strangerKey);
  const newcomer = newcomerCert === undefined ? undefined : harness('oadr-certify-newcomer', 'newcomer-cert', newcomerCert, 'newcomer-key', newcomerKey);
  const select = values.select?.split(',').map((s) => s.trim()).filter((s) => s !== '');
  try {
    const results: CaseResult[] = [];
    for (const [i, session] of sessions.entries()) {
      const context = { ven: vens[i]!, ...(stranger === undefined ? {} : { stranger }), ...(newcomer === undefined ? {} : { newcomer }), ...(operator === undefined ? {} : { operator: operator.operator }) };
      results.push(
        ...(await runCases(session === 'push' ? VTN_PUSH_CASES : VTN_PULL_CASES, context, {
          timeoutMs,
          ...(select === undefined ? {} : { select }),
          onResult: (r) => progressLine(r, io),
        })),
      );
    }
    return report(`oadr certify vtn (${model === 'both' ? 'pull and push' : model})`, results, values, io);
  } finally {
    operator?.close();
    for (const ven of vens) await ven.close();
    await stranger?.close();
    await newcomer?.close();
  }
}

/**
 * Who carries out the steps only the VTN's operator can start: its admin API (an oadr-kit VTN), a
 * script, or a person at this terminal. None when stdin is no terminal and nothing else is given.
 */
function vtnOperator(
  values: { 'admin-url'?: string | undefined; 'admin-token'?: string | undefined; 'operator-script'?: string | undefined },
  io: CliIo,
): { operator: (prompt: OperatorPrompt) => Promise<void>; close(): void } | undefined {
  const adminUrl = values['admin-url'];
  const adminToken = values['admin-token'];
  if (adminUrl !== undefined && adminToken !== undefined) return { operator: adminApiOperator({ url: adminUrl, token: adminToken }), close: () => undefined };
  const script = values['operator-script'];
  if (script !== undefined) return { operator: scriptOperator(script, io.cwd), close: () => undefined };
  if (io.stdin?.isTTY === true) return consoleOperator(io, io.stdin);
  return undefined;
}

/** One line per finished case on stderr, so a long run shows where it is. */
function progressLine(result: CaseResult, io: CliIo): void {
  io.stderr.write(`${result.outcome === 'passed' ? 'pass' : result.outcome}  ${result.id}\n`);
}

function report(title: string, results: readonly CaseResult[], values: { junit?: string | undefined; html?: string | undefined }, io: CliIo): ExitCode {
  io.stdout.write(summaryTable(results));
  const now = new Date();
  if (values.junit !== undefined) writeFileSync(resolve(io.cwd, values.junit), junitXml(title, results, now));
  if (values.html !== undefined) writeFileSync(resolve(io.cwd, values.html), summaryHtml(title, results, now));
  return summarize(results).ok ? ExitCode.OK : ExitCode.FAILURE;
}

function readPem(command: string, option: string, path: string | undefined, io: CliIo): string {
  if (path === undefined) throw new CliUsageError(`${command}: --${option} is required`);
  try {
    return readFileSync(resolve(io.cwd, path), 'utf8');
  } catch (error) {
    throw new CliUsageError(`${command}: cannot read --${option} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

async function certifyVen(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const command = 'certify ven';
  const { values } = parseOptions(command, argv, {
    listen: 'string',
    wait: 'string',
    model: 'string',
    'push-polls': 'boolean',
    cert: 'string',
    key: 'string',
    ca: 'string',
    'stranger-cert': 'string',
    'stranger-key': 'string',
    'operator-script': 'string',
    select: 'string',
    timeout: 'string',
    junit: 'string',
    html: 'string',
  });
  if (values.help) {
    io.stdout.write(CERTIFY_HELP);
    return ExitCode.OK;
  }
  const listen = /^(.+):(\d+)$/.exec(values.listen ?? '127.0.0.1:0');
  if (listen === null || Number(listen[2]) > 65535) throw new CliUsageError(`${command}: --listen must be host:port, got "${values.listen}"`);
  const model = values.model ?? 'pull';
  if (model !== 'pull' && model !== 'push' && model !== 'both') throw new CliUsageError(`${command}: --model must be pull, push or both, got "${model}"`);
  const sessions: readonly ExchangeModel[] = model === 'both' ? ['pull', 'push'] : [model];
  const waitMs = numberOption(command, 'wait', values.wait, 120, 1, 86_400) * 1000;
  const timeoutMs = numberOption(command, 'timeout', values.timeout, 30, 1, 3600) * 1000;
  const credentials = [{ certificatePem: readPem(command, 'cert', values.cert, io), keyPem: readPem(command, 'key', values.key, io) }];
  const ca = readPem(command, 'ca', values.ca, io);
  if ((values['stranger-cert'] === undefined) !== (values['stranger-key'] === undefined)) throw new CliUsageError(`${command}: give both --stranger-cert and --stranger-key, or neither`);
  const stranger =
    values['stranger-cert'] === undefined ? undefined : { certificatePem: readPem(command, 'stranger-cert', values['stranger-cert'], io), keyPem: readPem(command, 'stranger-key', values['stranger-key'], io) };
  const select = values.select?.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const operator = venOperator(values['operator-script'], io);
  const results: CaseResult[] = [];
  try {
    for (const session of sessions) {
      const vtn = new HarnessVtn({ credentials, ca, host: listen[1]!, port: Number(listen[2]), model: session, pushVenPolls: values['push-polls'] === true });
      await vtn.start();
      try {
        io.stderr.write(`harness VTN (${session}) listening at ${vtn.url}: point the VEN under test at it, configured for ${session}\n`);
        await vtn.waitFor('oadrCreatePartyRegistration', 0, AbortSignal.timeout(waitMs)).catch(() => {
          throw new Error(`no VEN registered at ${vtn.url} within ${waitMs / 1000} s`);
        });
        const context = { vtn, ...(operator === undefined ? {} : { operator: operator.operator }), ...(stranger === undefined ? {} : { stranger }) };
        results.push(
          ...(await runCases(session === 'pull' ? VEN_PULL_CASES : VEN_PUSH_CASES, context, {
            timeoutMs,
            ...(select === undefined ? {} : { select }),
            onResult: (r) => progressLine(r, io),
          })),
        );
      } finally {
        await vtn.close();
      }
    }
  } finally {
    operator?.close();
  }
  return report(`oadr certify ven (${model === 'both' ? 'pull and push' : model})`, results, values, io);
}

/** Who does what only the VEN's operator can start: a script, or a person at this terminal; none otherwise. */
function venOperator(script: string | undefined, io: CliIo): { operator: (prompt: VenOperatorPrompt) => Promise<void>; close(): void } | undefined {
  if (script !== undefined) return { operator: scriptOperator<VenOperatorPrompt>(script, io.cwd), close: () => undefined };
  if (io.stdin?.isTTY === true) return consoleOperator<VenOperatorPrompt>(io, io.stdin);
  return undefined;
}

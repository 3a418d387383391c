import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { HarnessVen, junitXml, runCases, summarize, summaryHtml, summaryTable, VTN_PULL_CASES } from '@oadr-kit/certify';
import { numberOption, parseOptions } from '../args.js';
import { CliUsageError, ExitCode } from '../CliError.js';
import type { CliIo } from '../io.js';

export const CERTIFY_HELP = `Usage: oadr certify vtn --target <url> --cert <pem> --key <pem> --ca <pem> [options]

Runs the OpenADR 2.0b certification cases against a VTN, playing a pull VEN over mutual TLS, and
reports each case (harness names: N1_0020_TH_VEN ...) with the reason of any failure. Every answer
is held to the 2.0b schema and conformance rules.

Options:
  --target <url>          the VTN's base URL (services under /OpenADR2/Simple/2.0b)
  --cert, --key <pem>     the harness VEN's client certificate (chain) and key
  --ca <pem>              CA bundle the VTN's certificate must chain to
  --stranger-cert, --stranger-key <pem>
                          a second certificate the VTN never registered (case N1_0080; without
                          it that case is skipped)
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
  if (target !== 'vtn') throw new CliUsageError(`certify: "${target}" is not a suite (the VTN suite is available: oadr certify vtn)`);
  const { values } = parseOptions('certify vtn', rest, {
    target: 'string',
    cert: 'string',
    key: 'string',
    ca: 'string',
    'stranger-cert': 'string',
    'stranger-key': 'string',
    select: 'string',
    timeout: 'string',
    junit: 'string',
    html: 'string',
  });
  if (values.help) {
    io.stdout.write(CERTIFY_HELP);
    return ExitCode.OK;
  }
  const required = (name: 'target' | 'cert' | 'key' | 'ca'): string => {
    const value = values[name];
    if (value === undefined) throw new CliUsageError(`certify vtn: --${name} is required`);
    return value;
  };
  const baseUrl = required('target');
  if (!/^https:\/\//.test(baseUrl)) throw new CliUsageError(`certify vtn: --target must be an https:// URL, got "${baseUrl}"`);
  const read = (option: string, path: string): string => {
    try {
      return readFileSync(resolve(io.cwd, path), 'utf8');
    } catch (error) {
      throw new CliUsageError(`certify vtn: cannot read --${option} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  };
  const ca = read('ca', required('ca'));
  const harness = (name: string, cert: string, key: string) =>
    new HarnessVen({ baseUrl, ca, venName: name, credentials: [{ certificatePem: read('cert', cert), keyPem: read('key', key) }] });
  const timeoutMs = numberOption('certify vtn', 'timeout', values.timeout, 30, 1, 3600) * 1000;
  const strangerCert = values['stranger-cert'];
  const strangerKey = values['stranger-key'];
  if ((strangerCert === undefined) !== (strangerKey === undefined)) throw new CliUsageError('certify vtn: give both --stranger-cert and --stranger-key, or neither');
  const ven = harness('oadr-certify', required('cert'), required('key'));
  const stranger = strangerCert !== undefined && strangerKey !== undefined ? harness('oadr-certify-stranger', strangerCert, strangerKey) : undefined;
  const cases = stranger === undefined ? VTN_PULL_CASES.filter((c) => c.id !== 'N1_0080_TH_VEN') : VTN_PULL_CASES;
  const select = values.select?.split(',').map((s) => s.trim()).filter((s) => s !== '');
  try {
    const results = await runCases(cases, { ven, stranger: stranger ?? ven }, {
      timeoutMs,
      ...(select === undefined ? {} : { select }),
      onResult: (r) => io.stderr.write(`${r.outcome === 'passed' ? 'pass' : r.outcome}  ${r.id}\n`),
    });
    io.stdout.write(summaryTable(results));
    const now = new Date();
    if (values.junit !== undefined) writeFileSync(resolve(io.cwd, values.junit), junitXml('oadr certify vtn (pull)', results, now));
    if (values.html !== undefined) writeFileSync(resolve(io.cwd, values.html), summaryHtml('oadr certify vtn (pull)', results, now));
    return summarize(results).ok ? ExitCode.OK : ExitCode.FAILURE;
  } finally {
    await ven.close();
    await stranger?.close();
  }
}

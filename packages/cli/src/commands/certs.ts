import { resolve } from 'node:path';
import { initDevPki, issueVenCertificate, issueVtnCertificate, type KeyAlgorithm } from '@oadr-kit/security';
import { parseOptions } from '../args.js';
import { CliUsageError, ExitCode } from '../CliError.js';
import type { CliIo } from '../io.js';

export const CERTS_HELP = `Usage: oadr certs <init|issue-vtn|issue-ven> [options]

Makes a development PKI: a root and an intermediate CA per key algorithm, VTN server certificates
(subjectAltName localhost, 127.0.0.1, ::1 and any names given) and VEN client certificates. Keys are
written with mode 0600. Not for production: a deployment uses the Alliance's certificate chain.

  oadr certs init        create the CAs and ca-bundle.pem
  oadr certs issue-vtn   issue a VTN server certificate
  oadr certs issue-ven   issue a VEN client certificate and print its 2.0b fingerprint

Options:
  --dir <path>          where the PKI lives (default: certs/dev)
  --algorithm <name>    rsa-2048 or ec-p256 (issue-*: default rsa-2048; init: both unless given)
  --name <name>         file base name of the certificate (issue-*)
  --dns <a,b>           extra DNS names for a VTN certificate
  --ip <a,b>            extra IP addresses for a VTN certificate
  --force               replace existing files
  -h, --help            show this help
`;

const ALGORITHMS: readonly KeyAlgorithm[] = ['rsa-2048', 'ec-p256'];

function algorithmOption(raw: string | undefined): KeyAlgorithm | undefined {
  if (raw === undefined) return undefined;
  if (!(ALGORITHMS as readonly string[]).includes(raw)) {
    throw new CliUsageError(`certs: --algorithm must be one of ${ALGORITHMS.join(', ')}, got "${raw}"`);
  }
  return raw as KeyAlgorithm;
}

function list(raw: string | undefined): string[] | undefined {
  return raw === undefined ? undefined : raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export async function certsCommand(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const [action, ...rest] = argv;
  if (action === undefined || action === '--help' || action === '-h') {
    io.stdout.write(CERTS_HELP);
    return action === undefined ? ExitCode.USAGE : ExitCode.OK;
  }
  const { values } = parseOptions(`certs ${action}`, rest, {
    dir: 'string',
    algorithm: 'string',
    name: 'string',
    dns: 'string',
    ip: 'string',
    force: 'boolean',
  });
  if (values.help) {
    io.stdout.write(CERTS_HELP);
    return ExitCode.OK;
  }
  const dir = resolve(io.cwd, values.dir ?? 'certs/dev');
  const keyAlgorithm = algorithmOption(values.algorithm);
  const overwrite = values.force === true;
  switch (action) {
    case 'init': {
      const files = initDevPki(dir, { overwrite, ...(keyAlgorithm === undefined ? {} : { keyAlgorithms: [keyAlgorithm] }) });
      io.stdout.write(`dev PKI (${files.keyAlgorithms.join(', ')}) in ${files.dir}\nCA bundle: ${files.caBundlePath}\n`);
      return ExitCode.OK;
    }
    case 'issue-vtn':
    case 'issue-ven': {
      const options = {
        overwrite,
        ...(keyAlgorithm === undefined ? {} : { keyAlgorithm }),
        ...(values.name === undefined ? {} : { name: values.name }),
        ...(action === 'issue-vtn' ? { dnsNames: list(values.dns) ?? [], ipAddresses: list(values.ip) ?? [] } : {}),
      };
      const issued = action === 'issue-vtn' ? issueVtnCertificate(dir, options) : issueVenCertificate(dir, options);
      io.stdout.write(`certificate: ${issued.certificatePath}\nchain:       ${issued.chainPath}\nkey:         ${issued.keyPath}\nfingerprint: ${issued.fingerprint}\n`);
      return ExitCode.OK;
    }
    default:
      throw new CliUsageError(`certs: unknown action "${action}" (use init, issue-vtn or issue-ven)`);
  }
}

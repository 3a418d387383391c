import { loadVtnConfig, resolveVtnConfig, type VtnConfigInput } from './config.js';
import { startVtn, type RunningVtn } from './startVtn.js';
import { VtnError, VtnErrorCode } from './VtnError.js';

export const VTN_USAGE = `usage: oadr vtn [--config vtn.json]

Runs an OpenADR 2.0b VTN. Without --config every setting takes its default: services on
127.0.0.1:8443 (plain HTTP unless "tls" is configured), admin API and /metrics on 127.0.0.1:8081,
SQLite file vtn.db. schemas/vtn/config.schema.json documents every setting.

Environment variables override the file (empty ones count as unset):
  OADR_VTN_ID, OADR_VTN_LISTEN_HOST, OADR_VTN_LISTEN_PORT, OADR_VTN_ADMIN_HOST,
  OADR_VTN_ADMIN_PORT, OADR_VTN_ADMIN_TOKEN, OADR_VTN_STORAGE_PATH (SQLite file),
  OADR_VTN_STORAGE_URL (PostgreSQL connection string), OADR_VTN_LOG_LEVEL`;

/** Parses the command line of `oadr vtn`; throws OADR_ERR_VTN_CONFIG_INVALID with the usage on a bad one. */
export function parseVtnArgs(argv: readonly string[]): { configFile: string | undefined; help: boolean } {
  let configFile: string | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--config' || arg === '-c') {
      configFile = argv[++i];
      if (configFile === undefined) throw new VtnError(VtnErrorCode.CONFIG_INVALID, `--config needs a file\n\n${VTN_USAGE}`);
    } else if (arg?.startsWith('--config=') === true) configFile = arg.slice('--config='.length);
    else throw new VtnError(VtnErrorCode.CONFIG_INVALID, `unknown argument ${String(arg)}\n\n${VTN_USAGE}`);
  }
  return { configFile, help };
}

/** Starts the VTN the command line and the `OADR_VTN_*` variables of `env` describe (the CLI's `oadr vtn`). */
export async function startVtnFromArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<RunningVtn> {
  const { configFile } = parseVtnArgs(argv);
  const config = configFile === undefined ? resolveVtnConfig({}, process.cwd(), env) : loadVtnConfig(configFile, env);
  return startVtn(config as VtnConfigInput);
}

/**
 * Runs `oadr vtn` until SIGINT or SIGTERM, then shuts down gracefully (requests in flight finish,
 * pushes stop, the store closes). Resolves with the process exit code.
 */
export async function runVtnCli(
  argv: readonly string[],
  out: { write(text: string): unknown } = process.stderr,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<number> {
  let help: boolean;
  try {
    help = parseVtnArgs(argv).help;
  } catch (error) {
    out.write(`${(error as Error).message}\n`);
    return 2;
  }
  if (help) {
    out.write(`${VTN_USAGE}\n`);
    return 0;
  }
  let vtn: RunningVtn;
  try {
    vtn = await startVtnFromArgs(argv, env);
  } catch (error) {
    out.write(`oadr vtn: ${(error as Error).message}\n`);
    return 1;
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await vtn.close();
  return 0;
}

/**
 * `npx cli2api`: the same server without VS Code, configured by CLI2API_* environment
 * variables (and a .env file in the working directory).
 */
import dotenv from 'dotenv';
import { ConfigError, ENV_VARIABLES, settingsFromEnv } from '../config/env';
import { ApiServer } from '../server/api-server';
import { createConsoleLogger } from '../util/logger';
import { VERSION } from '../version';

const HELP = `cli2api ${VERSION} — an OpenAI-compatible API over the Claude Code CLI

Usage: cli2api [--help] [--version]

Configured by environment variables (or a .env file in the current directory):
${ENV_VARIABLES.map(([name]) => `  ${name}`).join('\n')}
See README.md for what each one does.`;

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (argv.includes('--version') || argv.includes('-v')) {
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  dotenv.config({ quiet: true, processEnv: env as Record<string, string> });
  let settings;
  try {
    settings = settingsFromEnv(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`cli2api: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const logger = createConsoleLogger({ level: settings.debug ? 'trace' : settings.logLevel, json: settings.logJson });
  const server = new ApiServer({ settings: () => settings, logger, baseEnv: env });
  try {
    await server.start();
  } catch {
    return 1;
  }
  await new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      logger.info(`${signal} received, stopping`);
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  await server.stop();
  return 0;
}

main(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`cli2api: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);

/**
 * `npx cli2api`: the same server without VS Code, configured by CLI2API_* environment
 * variables (and a .env file in the working directory).
 */
import dotenv from 'dotenv';
import { ConfigError, ENV_VARIABLES, settingsFromEnv } from '../config/env';
import { runDoctor } from '../doctor/doctor';
import { healthy, platformLine, renderReport } from '../doctor/report';
import { ApiServer } from '../server/api-server';
import { createConsoleLogger } from '../util/logger';
import { VERSION } from '../version';

const HELP = `cli2api ${VERSION} — an OpenAI-compatible API over the Claude Code CLI

Usage: cli2api [--help] [--version]
       cli2api doctor    check that the Claude CLI CLI2API would use can do all CLI2API needs
                         (against a fake API on 127.0.0.1: no prompt or key leaves the machine;
                         exit code 0 when it can, 1 when not)

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
  if (argv[0] === 'doctor') return doctor(settings, env);
  const logger = createConsoleLogger({ level: settings.debug ? 'trace' : settings.logLevel, json: settings.logJson });
  const server = new ApiServer({ settings: () => settings, logger, baseEnv: env });
  try {
    await server.start();
  } catch {
    return 1;
  }
  // SIGTERM/SIGINT: drain (new requests refused, those in flight finish within drainSeconds);
  // a second signal stops at once.
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  const drainMs = settings.drainSeconds * 1000;
  logger.info(
    `${signal} received, stopping${drainMs > 0 ? ` (requests in flight get up to ${settings.drainSeconds} s)` : ''}`,
  );
  const now = () => {
    logger.info('Second signal: stopping now');
    void server.stop();
  };
  process.once('SIGINT', now);
  process.once('SIGTERM', now);
  await server.drain(drainMs);
  return 0;
}

/** `cli2api doctor`: progress on stderr, the report on stdout. */
async function doctor(settings: ReturnType<typeof settingsFromEnv>, env: NodeJS.ProcessEnv): Promise<number> {
  process.stderr.write('Checking the Claude Code CLI against a fake API on 127.0.0.1…\n');
  const report = await runDoctor({
    settings,
    baseEnv: env,
    onRow: (row) => process.stderr.write(`  ${row.ok ? 'PASS' : 'FAIL'} ${row.title}\n`),
  });
  process.stdout.write(renderReport(report, { version: VERSION, platform: platformLine() }));
  return healthy(report) ? 0 : 1;
}

main(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`cli2api: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);

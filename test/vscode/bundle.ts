/**
 * Bundles the in-host suite (test/vscode/suite) into CommonJS files the VS Code extension host
 * can `require`: out/test-vscode/index.js (mocha's entry, with mocha bundled in) and one
 * out/test-vscode/<name>.vscode-test.js per test file. Only `vscode` stays external: the
 * extension host provides it.
 *
 * Mocha is bundled rather than required from node_modules because mocha 12 is an ES module
 * package whose CommonJS entry requires ES modules, which needs a Node with require(esm)
 * (>= 20.19 / 22.12); the Electron of an older VS Code does not have one.
 *
 * Run by test/vscode/run.ts; on its own: `npx tsx test/vscode/bundle.ts`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const SUITE_SRC_DIR = path.join(__dirname, 'suite');
export const SUITE_OUT_DIR = path.join(REPO_ROOT, 'out', 'test-vscode');
/** Test files in the suite folder end with this (not .test.ts: no mocha glob of the other suites may pick them up). */
export const TEST_SUFFIX = '.vscode-test.ts';

/** Bundles the suite into SUITE_OUT_DIR (emptied first); returns the path of the mocha entry (index.js). */
export async function bundleSuite(): Promise<string> {
  const tests = fs.readdirSync(SUITE_SRC_DIR).filter((f) => f.endsWith(TEST_SUFFIX));
  if (tests.length === 0) throw new Error(`no *${TEST_SUFFIX} files in ${SUITE_SRC_DIR}`);
  fs.rmSync(SUITE_OUT_DIR, { recursive: true, force: true });
  await build({
    entryPoints: ['index.ts', ...tests].map((f) => path.join(SUITE_SRC_DIR, f)),
    outdir: SUITE_OUT_DIR,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    sourcemap: 'linked',
    logLevel: 'error',
    legalComments: 'none',
  });
  return path.join(SUITE_OUT_DIR, 'index.js');
}

if (require.main === module) {
  bundleSuite().then(
    (entry) => console.log(`bundled the VS Code suite: ${path.relative(REPO_ROOT, entry)}`),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}

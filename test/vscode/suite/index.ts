/**
 * The extension host's test entry (`--extensionTestsPath`): VS Code calls `run()` inside the
 * extension host once the development extension is loaded, and exits with code 0 if the
 * returned promise resolves, 1 if it rejects. Bundled by test/vscode/bundle.ts.
 *
 * Env (set by test/vscode/run.ts through extensionTestsEnv): CLI2API_VSCODE_GREP (mocha grep).
 */
import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: true, timeout: 60_000 });
  const grep = process.env.CLI2API_VSCODE_GREP;
  if (grep) mocha.grep(grep);
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.vscode-test.js'))
    .sort();
  if (files.length === 0) return Promise.reject(new Error(`no *.vscode-test.js files next to ${__filename}`));
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} VS Code test(s) failed`)) : resolve()));
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

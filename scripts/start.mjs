#!/usr/bin/env node
// `npm start`: the desktop app (Electron) where its binary is installed; otherwise the same UI through
// `geosift serve` in a browser, so the app starts on any machine (servers, CI boxes, offline sandboxes).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
let electron = null;
try {
  // The electron package exports the binary's path, and throws when the binary was never downloaded.
  const p = createRequire(import.meta.url)('electron');
  if (typeof p === 'string' && existsSync(p)) electron = p;
} catch {
  electron = null;
}
const run = (cmd, argv) => {
  const child = spawn(cmd, argv, { stdio: 'inherit', cwd: root });
  child.on('exit', (code, signal) => process.exit(signal ? 1 : code ?? 0));
  for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => child.kill(s));
};
if (electron && !process.env.GEOSIFT_NO_ELECTRON) {
  run(electron, [root, ...args]);
} else {
  console.log('Electron is not installed here (no binary could be downloaded): starting the same UI with `geosift serve`.');
  // Like the desktop app, the analyst's own files are reachable: the home folder unless scenes or folders are named.
  const serveArgs = args.length ? args : ['--allow', homedir()];
  console.log(`Open the URL below in a browser. Scenes can be opened from ${args.length ? 'what you named' : homedir()} (pass scenes or --allow DIR to change that).\n`);
  run(process.execPath, [join(root, 'bin', 'geosift.js'), 'serve', ...serveArgs]);
}

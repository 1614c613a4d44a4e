// Runs the CLI in-process with string-collecting streams, or as a real child process.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../main/cli/main.js';
import type { EngineOptions } from '../../main/engine/index.js';
import { generatedDir, repoRoot } from './paths.js';

export class StringStream {
  text = '';
  constructor(public isTTY = false, public columns = 100) {}
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}

/** One private index per test file (never the user's), unless a test passes its own. */
const sharedIndexDir = mkdtempSync(join(tmpdir(), 'geosift-index-'));

export function testEngineOptions(indexDir = sharedIndexDir): EngineOptions {
  return { modelSearchPaths: [join(generatedDir, 'models')], indexDir };
}

export async function cli(args: string[], opts: { tty?: boolean; signal?: AbortSignal; indexDir?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new StringStream();
  const stderr = new StringStream(opts.tty ?? false);
  const code = await runCli(args, { stdout, stderr, signal: opts.signal, engine: testEngineOptions(opts.indexDir) });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Runs bin/geosift.js; GEOSIFT_HOME points at a fresh temporary folder unless the caller sets it. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const home = env.GEOSIFT_HOME ?? mkdtempSync(join(tmpdir(), 'geosift-home-'));
  return spawn(process.execPath, [join(repoRoot, 'bin', 'geosift.js'), ...args], { cwd: repoRoot, env: { ...process.env, GEOSIFT_INDEX_DIR: undefined, ...env, GEOSIFT_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
}

// Runs the CLI in-process with string-collecting streams, or as a real child process.
import { spawn } from 'node:child_process';
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

export const testEngineOptions: EngineOptions = { modelSearchPaths: [join(generatedDir, 'models')] };

export async function cli(args: string[], opts: { tty?: boolean; signal?: AbortSignal } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new StringStream();
  const stderr = new StringStream(opts.tty ?? false);
  const code = await runCli(args, { stdout, stderr, signal: opts.signal, engine: testEngineOptions });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawn(process.execPath, [join(repoRoot, 'bin', 'geosift.js'), ...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

// Shared helpers of the benchmarks: machine and load description, percentiles, running the Python baselines.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(benchDir, '..');
export const dataDir = process.env.GEOSIFT_DATA ?? join(repoRoot, '..', 'shared', 'data');

/** One line naming the machine, the time and the 1-minute load average: printed next to every figure. */
export function machineLine(): string {
  const c = cpus();
  return `${new Date().toISOString()} | ${c.length}x ${c[0]?.model.trim()} | ${(totalmem() / 2 ** 30).toFixed(0)} GiB | load ${loadavg().map((v) => v.toFixed(2)).join(' ')}`;
}

export function load1(): string {
  return loadavg()[0].toFixed(2);
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const k = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[k];
}

/** Runs a Python baseline script that prints one JSON object on its last stdout line. */
export function runPython<T>(script: string, args: string[], env: Record<string, string> = {}): T {
  const r = spawnSync('python3', [join(benchDir, script), ...args], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 256 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`python3 ${script} failed (${r.status}):\n${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

export function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

export function ratio(ours: number, base: number): string {
  return `${(ours / base).toFixed(2)}x`;
}

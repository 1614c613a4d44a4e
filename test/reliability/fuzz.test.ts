// A short seeded fuzz run (200 mutated rasters) in CI: zero crashes, hangs or memory blow-ups; the full 10,000-file run is scripts/fuzz-rasters.mjs.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.js';
import { hostileCorpus } from './corpus.js';

describe('raster fuzzing', () => {
  it('200 mutated scenes: every one reads or fails with an EngineError code; no crash, hang or memory blow-up', async () => {
    hostileCorpus(); // the corpus doubles as fuzz seeds
    const out = mkdtempSync(join(tmpdir(), 'geosift-fuzz-ci-'));
    const script = join(repoRoot, 'scripts', 'fuzz-rasters.mjs');
    const run = await promisify(execFile)(process.execPath, [script, '--files', '200', '--seed', '2024', '--jobs', '2', '--out', out, '--json'], {
      cwd: repoRoot,
      maxBuffer: 64 * 1024 * 1024,
    }).catch((e: { stdout?: string; stderr?: string }) => ({ stdout: e.stdout ?? '', stderr: e.stderr ?? '' }));
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.failures, run.stderr).toEqual([]);
    expect(summary).toMatchObject({ filesTried: 200, crashes: 0, hangs: 0, memory: 0 });
    // The run exercised both paths: some files still read, most are refused with a code.
    expect(summary.ok).toBeGreaterThan(0);
    expect(summary.engineErrors).toBeGreaterThan(0);
    expect(Object.keys(summary.codes).every((c) => /^E_[A-Z_]+$/.test(c) && c !== 'E_INTERNAL')).toBe(true);
  });
});

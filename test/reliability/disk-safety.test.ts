// Disk full (a real ENOSPC from a tiny tmpfs) and a read-only index: clear E_OUTPUT errors, nothing committed is lost, and indexing resumes once space is back.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedDir, repoRoot, testModelDir } from '../helpers/paths.js';

const mosaic = join(generatedDir, 'mosaic', 'ucm-mosaic.tif');
const driver = join(repoRoot, 'test', 'reliability', 'disk-full-scenario.mjs');
/** tmpfs size and the space left free after the filler: the entry's metadata and first batches fit, the rest does not. */
const TMPFS = '256k';
const FREE_KB = '44';

function geosift(home: string, args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, GEOSIFT_HOME: home };
  delete env.GEOSIFT_INDEX_DIR;
  return spawnSync(process.execPath, [join(repoRoot, 'bin', 'geosift.js'), ...args], { cwd: repoRoot, env, encoding: 'utf8' });
}

/**
 * Runs the scenario on a freshly mounted tmpfs: directly when root, else inside a user+mount namespace
 * (unshare -rm). Throws, failing the test, when neither can mount: there is no honest full disk without one.
 */
function runScenario(refHome: string): { method: string; report: any } {
  const dir = mkdtempSync(join(tmpdir(), 'geosift-full-'));
  const args = [driver, '--dir', dir, '--free-kb', FREE_KB, '--ref-home', refHome, '--ro', 'remount'];
  const tried: string[] = [];
  if (process.getuid?.() === 0) {
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS}`, 'tmpfs', dir], { encoding: 'utf8' });
    if (m.status === 0) {
      try {
        const out = execFileSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8' });
        return { method: `tmpfs mounted as root (size ${TMPFS})`, report: JSON.parse(out) };
      } finally {
        spawnSync('umount', [dir]);
        rmSync(dir, { recursive: true, force: true });
      }
    }
    tried.push(`mount -t tmpfs as root: ${m.stderr.trim()}`);
  }
  const script = `mount -t tmpfs -o size=${TMPFS} tmpfs "$1" && shift && exec "$@"`;
  const u = spawnSync('unshare', ['-r', '-m', 'sh', '-c', script, 'sh', dir, process.execPath, ...args], { cwd: repoRoot, encoding: 'utf8' });
  rmSync(dir, { recursive: true, force: true });
  if (u.status === 0) return { method: `tmpfs in a user namespace (unshare -rm, size ${TMPFS})`, report: JSON.parse(u.stdout) };
  tried.push(`unshare -rm: ${(u.stderr || String(u.error)).trim()}`);
  throw new Error(`Cannot make a real full disk here (needs root or unprivileged user namespaces to mount a small tmpfs): ${tried.join('; ')}`);
}

describe('disk full and read-only index', () => {
  it('a full disk fails with E_OUTPUT naming it, keeps every commit, and the same command resumes to the uninterrupted result', () => {
    const refHome = mkdtempSync(join(tmpdir(), 'geosift-full-ref-'));
    const ref = geosift(refHome, ['index', mosaic, '--model', testModelDir, '--tile', '96px', '--batch', '8', '--quiet']);
    expect(ref.status, ref.stderr).toBe(0);
    const { report } = runScenario(refHome);

    // The write that hit ENOSPC.
    expect(report.full.code).toBe(1);
    expect(report.full.stderr).toMatch(/E_OUTPUT: Cannot write to the index in .*what was committed before is kept \(the disk is full\)/);
    // What was committed before is readable: a prefix of the grid, not complete.
    expect(report.afterFull.complete).toBe(false);
    expect(report.afterFull.positions).toBeGreaterThan(0);
    expect(report.afterFull.positions).toBeLessThan(256);
    expect(report.afterFull.tilesLoaded).toBe(report.afterFull.positions);
    expect(report.afterFull.prefixOk).toBe(true);
    // Space back: resumes from that commit and ends equal to the uninterrupted run.
    expect(report.resumed.code, report.resumed.stderr).toBe(0);
    expect(report.resumed.result.resumedFrom).toBe(report.afterFull.positions);
    expect(report.final).toEqual({ complete: true, positions: 256, sameTiles: true, maxDiff: 0 });

    // Read-only index (remounted ro: EROFS even for root): indexing a new tiling fails clearly, the indexed one still searches.
    expect(report.readOnly.index.code).toBe(1);
    expect(report.readOnly.index.stderr).toMatch(/E_OUTPUT: Cannot create index entry .*(permission denied or read-only)/);
    expect(report.readOnly.search).toMatchObject({ code: 0, hits: 3 });
    expect(report.readOnly.stillComplete).toBe(true);
  });

  it('an index folder that cannot exist (under a regular file) gives E_OUTPUT, for root as for anyone', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'geosift-notdir-')), 'plain-file');
    writeFileSync(file, 'x');
    const r = geosift(file, ['index', mosaic, '--model', testModelDir, '--tile', '256px']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/E_OUTPUT: Cannot create the index folder .*plain-file/);
  });
});

#!/usr/bin/env node
// Seeded mutation fuzzer for the raster reader: mutates real scenes and the hostile corpus, opens and reads each in a pool of child processes, and reports crashes, hangs and memory blow-ups.
//
// Usage: node scripts/fuzz-rasters.mjs [--files 10000] [--seed 1] [--jobs 2] [--timeout-ms 30000] [--rss-mb 1536]
//                                      [--max-minutes M] [--out DIR] [--json]
// Needs a current build (npm run build): the workers load dist/main/engine/raster. Every file is a pure
// function of (seed, index), so `--seed S --only I` rebuilds and reruns one case. Reproducers of every
// failure are saved under DIR/repro with a .json describing the mutation and the outcome.
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { mulberry32, parseTiff } from '../test/fixtures/tiff-patch.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const distRaster = join(root, 'dist', 'main', 'engine', 'raster', 'index.js');


// ---------------------------------------------------------------------------------------------------
// Worker: opens and reads each file it is sent; answers with the outcome and its RSS.

async function worker() {
  const { openScene } = await import(pathToFileURL(distRaster).href);
  const { isEngineError } = await import(pathToFileURL(join(root, 'dist', 'shared', 'protocol', 'errors.js')).href);
  // geotiff.js logs decoder warnings with console.warn; they are noise here.
  console.warn = () => {};
  const outcome = (e) => {
    if (isEngineError(e)) return { kind: e.code === 'E_INTERNAL' ? 'crash' : 'error', code: e.code, message: e.message.slice(0, 300) };
    return { kind: 'crash', code: e?.name ?? typeof e, message: String(e?.stack ?? e).slice(0, 2000) };
  };
  process.on('message', async ({ id, path }) => {
    let result;
    try {
      result = await probe(openScene, path);
    } catch (e) {
      result = outcome(e);
    }
    process.send({ id, result, rss: process.memoryUsage().rss });
  });
  process.send({ ready: true });

  async function probe(open, path) {
    const scene = await open(path);
    try {
      const info = scene.info;
      JSON.stringify(info);
      const bands = [...Array(Math.min(3, info.bandCount)).keys()];
      const w = Math.min(256, info.width);
      const h = Math.min(256, info.height);
      const spots = [
        [0, 0],
        [Math.floor((info.width - w) / 2), Math.floor((info.height - h) / 2)],
        [info.width - w, info.height - h],
      ];
      let windows = 0;
      try {
        for (const o of info.overviews) {
          for (const [x, y] of o.level === 0 ? spots : spots.slice(1, 2)) {
            const win = { x, y, width: Math.min(info.width, w * o.scaleX), height: Math.min(info.height, h * o.scaleY) };
            const d = await scene.readWindow(win, { bands, level: o.level });
            if (d.bands.length !== bands.length || d.valid.length !== d.width * d.height) throw new Error('inconsistent window data');
            windows++;
          }
        }
      } catch (e) {
        return { ...outcome(e), opened: true, windows };
      }
      return { kind: 'ok', windows, warnings: info.warnings.length };
    } finally {
      await scene.close();
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Parent: builds mutated files, dispatches them, watches time and memory.

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

function listTiffs(dir) {
  const out = [];
  const walk = (d) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (/\.tiff?$/i.test(n) && st.size > 0 && st.size <= 8 * 1024 * 1024) out.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

const INTERESTING = [0, 1, 2, 3, 7, 8, 15, 16, 255, 256, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/** One mutated file from a seed file, chosen by the PRNG; returns the bytes and a description. */
function mutate(src, rand) {
  const pick = (n) => Math.floor(rand() * n);
  const buf = Buffer.from(src);
  let t = null;
  try {
    t = parseTiff(buf);
  } catch {
    t = null;
  }
  const steps = [];
  const nOps = 1 + pick(2);
  let out = buf;
  for (let k = 0; k < nOps; k++) {
    const kind = pick(t && t.ifds.length ? 7 : 3);
    if (kind === 0) {
      // Bit flips anywhere; half of them in the first 4 KB, where headers and IFDs live.
      const n = 1 + pick(16);
      for (let i = 0; i < n; i++) {
        const at = rand() < 0.5 ? pick(Math.min(out.length, 4096)) : pick(out.length);
        out[at] ^= 1 << pick(8);
      }
      steps.push(`${n} bit flips`);
    } else if (kind === 1) {
      const len = 1 + pick(64);
      const at = pick(out.length);
      const fill = [0, 0xff, -1][pick(3)];
      for (let i = at; i < Math.min(out.length, at + len); i++) out[i] = fill < 0 ? pick(256) : fill;
      steps.push(`byte run of ${len} x ${fill < 0 ? 'random' : fill} at ${at}`);
    } else if (kind === 2) {
      const n = pick(out.length);
      out = out.subarray(0, n);
      steps.push(`truncated to ${n} bytes`);
      break;
    } else if (kind <= 5) {
      // IFD field rewrite: type, count or value of a random entry of a random IFD.
      const ifd = t.ifds[pick(t.ifds.length)];
      const entries = [...ifd.entries.values()];
      const e = entries[pick(entries.length)];
      if (!e || e.at + t.entrySize > out.length) continue;
      const what = pick(3);
      const v = rand() < 0.7 ? INTERESTING[pick(INTERESTING.length)] : rand() < 0.5 ? out.length + pick(64) - 32 : pick(0x100000000);
      if (what === 0) {
        t.write16(out, e.at + 2, pick(20));
        steps.push(`tag ${e.tag} type -> random`);
      } else if (what === 1) {
        if (t.big) t.writeOffset(out, e.at + 4, v);
        else t.write32(out, e.at + 4, v);
        steps.push(`tag ${e.tag} count -> ${v}`);
      } else {
        if (t.big) t.writeOffset(out, e.fieldAt, v);
        else t.write32(out, e.fieldAt, v);
        steps.push(`tag ${e.tag} value/offset -> ${v}`);
      }
    } else {
      // Next-IFD pointer: to an earlier IFD, itself, past the end, or random.
      const i = pick(t.ifds.length);
      const ifd = t.ifds[i];
      if (ifd.nextAt + (t.big ? 8 : 4) > out.length) continue;
      const target = [t.ifds[pick(i + 1)].offset, ifd.offset, out.length + pick(4096), pick(out.length), ifd.offset + 1 + pick(16)][pick(5)];
      t.writeOffset(out, ifd.nextAt, target);
      steps.push(`IFD ${i} next -> ${target}`);
    }
  }
  return { bytes: out, steps };
}

async function main() {
  const files = Number(arg('files', 10000));
  const seed = Number(arg('seed', 1));
  const jobs = Math.max(1, Number(arg('jobs', 2)));
  const timeoutMs = Number(arg('timeout-ms', 30000));
  const rssCap = Number(arg('rss-mb', 1536)) * 1024 * 1024;
  const maxMinutes = Number(arg('max-minutes', Infinity));
  const only = arg('only', null);
  const json = process.argv.includes('--json');
  const outDir = resolve(arg('out', mkdtempSync(join(tmpdir(), 'geosift-fuzz-'))));
  const dataDir = resolve(process.env.GEOSIFT_DATA ?? join(root, '..', 'shared', 'data'));
  const corpusDir = resolve(arg('corpus', join(root, 'test', 'fixtures', '.generated', 'hostile')));

  if (!existsSync(distRaster)) {
    console.error('fuzz-rasters: dist/ is missing: run `npm run build` first');
    process.exit(2);
  }
  const newestSource = Math.max(...readdirSync(join(root, 'main', 'engine', 'raster')).map((f) => statSync(join(root, 'main', 'engine', 'raster', f)).mtimeMs));
  if (statSync(distRaster).mtimeMs + 1000 < newestSource) {
    console.error('fuzz-rasters: dist/ is older than main/engine/raster: run `npm run build` first');
    process.exit(2);
  }

  const scenes = listTiffs(join(dataDir, 'scenes'));
  const corpus = listTiffs(corpusDir);
  const seeds = [...scenes, ...corpus];
  if (scenes.length === 0) {
    console.error(`fuzz-rasters: no seed files under ${dataDir}/scenes`);
    process.exit(2);
  }
  const seedBytes = new Map();
  const seedOf = (p) => {
    if (!seedBytes.has(p)) seedBytes.set(p, readFileSync(p));
    return seedBytes.get(p);
  };
  const work = mkdtempSync(join(tmpdir(), 'geosift-fuzz-work-'));
  const reproDir = join(outDir, 'repro');
  mkdirSync(reproDir, { recursive: true });

  const caseOf = (i) => {
    const rand = mulberry32((seed * 0x9e3779b1 + i * 0x85ebca6b) >>> 0);
    // Mostly real scenes (mutations of valid files reach deepest); a quarter from the hostile corpus.
    const pool = corpus.length && rand() < 0.25 ? corpus : scenes;
    const seedPath = pool[Math.floor(rand() * pool.length)];
    const { bytes, steps } = mutate(seedOf(seedPath), rand);
    return { i, seedPath, bytes, steps };
  };

  const stats = { filesTried: 0, ok: 0, openedThenReadError: 0, engineErrors: 0, crashes: 0, hangs: 0, memory: 0, workerDeaths: 0, peakRssMb: 0, codes: {}, examples: {} };
  const failures = [];
  const t0 = Date.now();
  const indices = only !== null ? [Number(only)] : [...Array(files).keys()];
  let nextIdx = 0;

  const record = (c, kind, detail) => {
    const name = `${kind}-${seed}-${c.i}`;
    writeFileSync(join(reproDir, `${name}.tif`), c.bytes);
    const info = { kind, seed, index: c.i, seedFile: relative(dataDir, c.seedPath).startsWith('..') ? c.seedPath : relative(dataDir, c.seedPath), mutation: c.steps, ...detail, rerun: `node scripts/fuzz-rasters.mjs --seed ${seed} --only ${c.i}` };
    writeFileSync(join(reproDir, `${name}.json`), JSON.stringify(info, null, 1));
    failures.push(info);
  };

  const startWorker = () =>
    new Promise((resolveReady) => {
      const child = fork(fileURLToPath(import.meta.url), ['--worker'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: ['--max-old-space-size=1024'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
      child.once('message', () => resolveReady({ child, stderrTail: () => stderr }));
    });

  const rssOf = (pid) => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  };

  async function lane() {
    let w = await startWorker();
    while (nextIdx < indices.length && (Date.now() - t0) / 60000 < maxMinutes) {
      const c = caseOf(indices[nextIdx++]);
      const path = join(work, `case-${c.i}.tif`);
      writeFileSync(path, c.bytes);
      const res = await new Promise((done) => {
        let finished = false;
        let peak = 0;
        const finish = (r) => {
          if (finished) return;
          finished = true;
          clearTimeout(timer);
          clearInterval(watch);
          w.child.off('message', onMsg);
          w.child.off('exit', onExit);
          done(r);
        };
        const onMsg = (m) => m.id === c.i && finish({ ...m.result, rss: Math.max(m.rss, peak) });
        const onExit = (code, signal) => finish({ kind: 'crash', code: signal ?? `exit ${code}`, message: w.stderrTail().slice(-1500), died: true });
        const timer = setTimeout(() => {
          w.child.kill('SIGKILL');
          finish({ kind: 'hang', code: `no answer in ${timeoutMs} ms`, died: true });
        }, timeoutMs);
        const watch = setInterval(() => {
          const rss = rssOf(w.child.pid);
          peak = Math.max(peak, rss);
          if (rss > rssCap) {
            w.child.kill('SIGKILL');
            finish({ kind: 'memory', code: `RSS ${Math.round(rss / 1e6)} MB over the ${Math.round(rssCap / 1e6)} MB cap`, died: true });
          }
        }, 50);
        w.child.on('message', onMsg);
        w.child.once('exit', onExit);
        w.child.send({ id: c.i, path });
      });
      rmSync(path, { force: true });
      stats.filesTried++;
      stats.peakRssMb = Math.max(stats.peakRssMb, Math.round((res.rss ?? 0) / 1e6));
      if (res.kind === 'ok') stats.ok++;
      else if (res.kind === 'error') {
        stats.engineErrors++;
        stats.codes[res.code] = (stats.codes[res.code] ?? 0) + 1;
        if (res.opened) stats.openedThenReadError++;
        // One example message per code, to review that each code is the right one.
        stats.examples[res.code] ??= res.message;
      } else {
        if (res.kind === 'crash') stats.crashes++;
        if (res.kind === 'hang') stats.hangs++;
        if (res.kind === 'memory') stats.memory++;
        record(c, res.kind, { code: res.code, message: res.message });
      }
      if (res.died) {
        stats.workerDeaths++;
        w.child.kill('SIGKILL');
        w = await startWorker();
      }
      if (!json && stats.filesTried % 500 === 0) {
        const s = (Date.now() - t0) / 1000;
        console.error(`[fuzz] ${stats.filesTried}/${indices.length} files, ${stats.crashes} crashes, ${stats.hangs} hangs, ${stats.memory} memory, ${(stats.filesTried / s).toFixed(1)} files/s`);
      }
    }
    w.child.kill('SIGKILL');
  }

  await Promise.all(Array.from({ length: jobs }, () => lane()));
  rmSync(work, { recursive: true, force: true });
  const summary = {
    seed,
    filesRequested: indices.length,
    ...stats,
    seeds: seeds.length,
    jobs,
    timeoutMs,
    rssCapMb: Math.round(rssCap / 1e6),
    seconds: Math.round((Date.now() - t0) / 1000),
    stoppedByTimeBudget: stats.filesTried < indices.length,
    reproDir,
    failures,
  };
  writeFileSync(join(outDir, 'summary.json'), JSON.stringify(summary, null, 1));
  if (json) console.log(JSON.stringify(summary));
  else {
    console.log(
      `fuzz-rasters: ${summary.filesTried} files (seed ${seed}, ${seeds.length} seed files) in ${summary.seconds}s: ${stats.ok} read fine, ${stats.engineErrors} clean errors, ${stats.crashes} crashes, ${stats.hangs} hangs, ${stats.memory} memory blow-ups; peak worker RSS ${stats.peakRssMb} MB`,
    );
    console.log(`error codes: ${JSON.stringify(stats.codes)}`);
    if (failures.length) console.log(`reproducers: ${reproDir}`);
  }
  process.exit(stats.crashes + stats.hangs + stats.memory > 0 ? 1 : 0);
}

// Last, so every constant above is initialised before either role starts.
if (process.argv.includes('--worker')) await worker();
else await main();

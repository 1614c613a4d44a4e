// The geosift command line: a thin consumer of createEngine that writes to injected streams.
import { join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { createEngine, DEFAULT_MODEL_ID, GEOSIFT_VERSION, writeFileAtomic, type Engine, type EngineOptions } from '../engine/index.js';
import { defaultModelSearchPaths } from '../engine/model/resolve-model.js';
import { packageRoot } from '../engine/version.js';
import { readFile } from 'node:fs/promises';
import type { CatalogSearchResult, ExportedFile, ExportFormatId, SearchResult, TilingParams } from '../../shared/protocol/engine-api.js';
import { formatForPath } from '../engine/export/index.js';
import { EngineError, ErrorCodes, isCanceled } from '../../shared/protocol/errors.js';
import { ProgressBar, type ProgressStream } from './progress.js';
import { readReference, referenceCheck, REFERENCE_TOLERANCE } from '../engine/tasks/reference-check.js';
import { formatCatalog, formatCatalogHits, formatHits, formatInfo, formatLabels } from './format.js';
import { registerServe } from './serve-command.js';

export interface CliIO {
  stdout: ProgressStream;
  stderr: ProgressStream;
  env?: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C by the bin shim. */
  signal?: AbortSignal;
  /** Engine options for tests (model search paths). */
  engine?: EngineOptions;
}

export const EXIT = { ok: 0, userError: 1, usage: 2, internal: 70, canceled: 130 } as const;

function intArg(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be a whole number.`);
    return n;
  };
}

function numArg(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number.`);
    return n;
  };
}

interface CommonOptions {
  model?: string;
  provider?: 'auto' | 'cuda' | 'dml' | 'coreml' | 'cpu';
  threads?: number;
  batch?: number;
  precision?: 'fp32' | 'int8';
  tile?: string;
  overlap?: string;
  bands?: string;
  minValid?: number;
  top?: number;
  minScore?: number;
  suppress?: number;
  output?: string;
  crs?: 'wgs84' | 'native';
  json?: boolean;
  quiet?: boolean;
  catalog?: boolean;
  bbox?: [number, number, number, number];
  scene?: string[];
  relevant?: number[];
  notRelevant?: number[];
  saveQuery?: string;
  queryFile?: string;
  index?: boolean;
}

/** A query saved with --save-query: re-run it on other scenes with --query-file. */
export interface SavedQuery {
  format: 'geosift-query';
  version: 1;
  text: string;
  model: { id: string; sha256: string };
  relevant: number[];
  notRelevant: number[];
  sourceScene: string;
  vector: number[];
  createdAt: string;
}

function listArg(name: string) {
  return (v: string, prev: number[] = []): number[] => {
    const parts = v.split(',').map((x) => x.trim()).filter(Boolean).map(Number);
    if (!parts.length || !parts.every((n) => Number.isInteger(n) && n >= 0)) throw new InvalidArgumentError(`${name} takes tile indices like 12,40.`);
    return [...prev, ...parts];
  };
}

function bboxArg(v: string): [number, number, number, number] {
  const p = v.split(',').map(Number);
  // West > east is a box across the antimeridian (RFC 7946 section 5.2), e.g. 179.5,49.9,-179.5,50.1.
  if (p.length !== 4 || !p.every(Number.isFinite) || p[1] > p[3] || p[1] < -90 || p[3] > 90 || p[0] < -180 || p[0] > 180 || p[2] < -180 || p[2] > 180) {
    throw new InvalidArgumentError('--bbox takes west,south,east,north in degrees, e.g. -117.1,36.9,-116.8,37.2 (west > east crosses 180, e.g. 179.5,49.9,-179.5,50.1).');
  }
  return p as [number, number, number, number];
}

/** Which model runs, and how: shared by every command that embeds tiles. */
function addModelOptions(cmd: Command): Command {
  return cmd
    .option('-m, --model <id|dir>', `model id or package folder (default ${DEFAULT_MODEL_ID})`)
    .addOption(new Option('--provider <name>', 'execution provider').choices(['auto', 'cuda', 'dml', 'coreml', 'cpu']).default('auto'))
    .option('--threads <n>', 'inference threads (0 = all cores)', intArg('--threads'))
    .option('--batch <n>', 'tiles per inference batch', intArg('--batch'))
    .addOption(new Option('--precision <p>', "vision graph: fp32, or int8 where the package has one (faster on CPUs; indexed apart from fp32)").choices(['fp32', 'int8']).default('fp32'));
}

/** How the scene is cut into tiles and shown to the model, plus output verbosity. */
function addTilingOptions(cmd: Command): Command {
  return cmd
    .option('-t, --tile <size>', 'tile size: pixels ("224px") or metres ("150m"); default the model input size, at least 224 px')
    .option('--overlap <amount>', 'tile overlap: fraction (0.25), percent (25%) or pixels (32px)', '0')
    .option('-b, --bands <spec>', 'bands shown to the model: rgb, rgbn, landsat8, sentinel2, or 1-based "4,3,2"', 'rgb')
    .option('--min-valid <fraction>', 'skip tiles with less valid (non-nodata) area than this', numArg('--min-valid'))
    .option('--json', 'print the full result as JSON on stdout')
    .option('-q, --quiet', 'no progress output');
}

function addRankingOptions(cmd: Command): Command {
  return addTilingOptions(addModelOptions(cmd))
    .option('-k, --top <k>', 'number of hits', intArg('--top'), 10)
    .option('--min-score <s>', 'drop hits below this cosine similarity', numArg('--min-score'))
    .option('--suppress <iou>', 'drop hits overlapping a better one by more than this IoU (1 keeps all)', numArg('--suppress'))
    .option('-o, --output <file>', 'write hits by extension: .geojson (RFC 7946, WGS84), .fgb, .csv')
    .addOption(new Option('--crs <crs>', 'coordinates of the GeoJSON output').choices(['wgs84', 'native']).default('wgs84'))
    .option('--no-index', 'keep embeddings in memory only (nothing written to the index)');
}

function addFeedbackOptions(cmd: Command): Command {
  return cmd
    .option('--relevant <tiles>', 'tile indices marked relevant: re-rank toward them (repeatable)', listArg('--relevant'))
    .option('--not-relevant <tiles>', 'tile indices marked not relevant: re-rank away from them', listArg('--not-relevant'))
    .option('--save-query <file.json>', 'save the (refined) query to re-run on other scenes')
    .option('--query-file <file.json>', 'run a query saved with --save-query');
}

/** The export format an output path asks for by its extension. */
function formatOf(path: string, allowed: ExportFormatId[]): ExportFormatId {
  const f = formatForPath(path)?.id as ExportFormatId | undefined;
  if (!f || !allowed.includes(f)) {
    throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Cannot tell the format of ${path}: end the name with ${allowed.map((a) => ({ geojson: '.geojson', fgb: '.fgb', csv: '.csv', cog: '.tif' })[a]).join(', ')}.`);
  }
  return f;
}

function tiling(o: CommonOptions): TilingParams {
  return { tile: o.tile, overlap: o.overlap, bands: o.bands, minValid: o.minValid };
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const out = (s: string) => io.stdout.write(s);
  const err = (s: string) => io.stderr.write(s);
  let engine: Engine | undefined;
  const engineFor = (o: CommonOptions): Engine => {
    engine ??= createEngine({ ...io.engine, provider: o.provider, threads: o.threads, batchSize: o.batch, visionPrecision: o.precision, ...(o.index === false ? { indexDir: false } : {}) });
    return engine;
  };
  const progressFor = (o: CommonOptions) => new ProgressBar(io.stderr, !o.quiet && !o.json && io.stderr.isTTY === true);

  const writeExport = async (path: string, file: ExportedFile) => {
    await writeFileAtomic(path, file.text ?? Buffer.from(file.base64 ?? '', 'base64'), io.signal);
  };

  const emit = async (engine: Engine, result: SearchResult, o: CommonOptions) => {
    if (o.output) await writeExport(o.output, await engine.exportHits(result, { format: formatOf(o.output, ['geojson', 'fgb', 'csv']), crs: o.crs }));
    if (o.json) out(JSON.stringify(result, null, 2) + '\n');
    else out(formatHits(result) + (o.output ? `\nWrote ${result.hits.length} hits to ${o.output}\n` : ''));
  };

  const readSavedQuery = async (path: string): Promise<SavedQuery> => {
    let q: SavedQuery;
    try {
      q = JSON.parse(await readFile(path, 'utf8'));
    } catch (e) {
      throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Cannot read saved query ${path}: ${(e as Error).message}`);
    }
    if (q?.format !== 'geosift-query' || !Array.isArray(q.vector) || typeof q.model?.sha256 !== 'string') {
      throw new EngineError(ErrorCodes.BAD_ARGUMENT, `${path} is not a query saved by geosift --save-query.`);
    }
    return q;
  };

  const emitCatalog = async (result: CatalogSearchResult, o: CommonOptions) => {
    if (o.output) throw new EngineError(ErrorCodes.BAD_ARGUMENT, 'Catalog hits span scenes: print them with --json (GeoJSON export is per scene).');
    out(o.json ? JSON.stringify(result, null, 2) + '\n' : formatCatalogHits(result));
  };

  const program = new Command()
    .name('geosift')
    .description('Search and label satellite and aerial scenes in natural language.')
    .version(GEOSIFT_VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: out, writeErr: err });
  registerServe(program, io, engineFor);

  program
    .command('info')
    .description('describe a scene: size, bands, type, CRS, geotransform, nodata/mask, overviews, WGS84 footprint')
    .argument('<scene>', 'GeoTIFF / COG path or http(s) URL')
    .option('--json', 'machine-readable output')
    .action(async (scene: string, o: { json?: boolean }) => {
      const e = engineFor({});
      const info = await e.info(scene, { signal: io.signal });
      out(o.json ? JSON.stringify(info, null, 2) + '\n' : formatInfo(info));
    });

  addFeedbackOptions(addRankingOptions(
    program
      .command('search')
      .description('rank the scene\'s tiles against a text query, in any language the model knows (or, with --catalog, every indexed scene\'s)')
      .argument('[scene]', 'GeoTIFF / COG path or http(s) URL (omit with --catalog)')
      .argument('[query]', 'what to look for, e.g. "airplanes near a runway" or "campo de golfe"')
      .option('--catalog', 'search every indexed scene (see `geosift index`)')
      .option('--bbox <w,s,e,n>', 'with --catalog: only tiles intersecting this WGS84 box (west > east for a box across 180)', bboxArg)
      .option('--scene <path>', 'with --catalog: only this indexed scene (repeatable)', (v: string, prev: string[] = []) => [...prev, v]),
  )).action(async (a: string | undefined, b: string | undefined, o: CommonOptions) => {
    const e = engineFor(o);
    const bar = progressFor(o);
    const saved = o.queryFile ? await readSavedQuery(o.queryFile) : undefined;
    try {
      if (o.catalog) {
        if (b !== undefined) throw new EngineError(ErrorCodes.BAD_ARGUMENT, 'With --catalog give only the query (scenes come from the index; filter with --scene or --bbox).');
        const result = await e.searchCatalog({ query: a ?? saved?.text ?? '', model: o.model, top: o.top, minScore: o.minScore, bbox: o.bbox, scenes: o.scene, queryVector: saved?.vector }, { signal: io.signal, onProgress: (p) => bar.update(p) });
        bar.done();
        await emitCatalog(result, o);
        return;
      }
      if (a === undefined) throw new EngineError(ErrorCodes.BAD_ARGUMENT, 'Name a scene to search (or use --catalog to search every indexed scene).');
      const query = b ?? saved?.text ?? '';
      const result = await e.search(
        { scene: a, query, model: o.model, top: o.top, minScore: o.minScore, suppressIoU: o.suppress, relevant: o.relevant, notRelevant: o.notRelevant, queryVector: saved?.vector, ...tiling(o) },
        { signal: io.signal, onProgress: (p) => bar.update(p) },
      );
      bar.done();
      if (saved && saved.model.sha256 !== result.model.sha256) {
        throw new EngineError(ErrorCodes.BAD_ARGUMENT, `${o.queryFile} was saved with model ${saved.model.id} (${saved.model.sha256.slice(0, 12)}); this search uses ${result.model.id} (${result.model.sha256.slice(0, 12)}). Re-run the query with that model.`);
      }
      if (o.saveQuery) {
        const sq: SavedQuery = { format: 'geosift-query', version: 1, text: query, model: { id: result.model.id, sha256: result.model.sha256 }, relevant: o.relevant ?? [], notRelevant: o.notRelevant ?? [], sourceScene: a, vector: result.queryVector, createdAt: new Date().toISOString() };
        await writeFileAtomic(o.saveQuery, JSON.stringify(sq, null, 1) + '\n', io.signal);
      }
      await emit(e, result, o);
    } finally {
      bar.done();
    }
  });

  addRankingOptions(
    program
      .command('similar')
      .description('rank the scene\'s tiles by similarity to an example tile or image')
      .argument('<scene>', 'GeoTIFF / COG path or http(s) URL')
      .option('--tile-index <n>', 'index of an example tile in this scene (see search --json output)', intArg('--tile-index'))
      .option('--image <file>', 'an example image (JPEG, PNG or GeoTIFF)'),
  ).action(async (scene: string, o: CommonOptions & { tileIndex?: number; image?: string }) => {
    const e = engineFor(o);
    const bar = progressFor(o);
    try {
      const result = await e.similar({ scene, tileIndex: o.tileIndex, image: o.image, model: o.model, top: o.top, minScore: o.minScore, suppressIoU: o.suppress, ...tiling(o) }, { signal: io.signal, onProgress: (p) => bar.update(p) });
      bar.done();
      await emit(e, result, o);
    } finally {
      bar.done();
    }
  });

  const labelCmd = program
    .command('label')
    .description('label every tile zero-shot with land-cover classes: class map, legend, confidences and area per class')
    .argument('<scene>', 'GeoTIFF / COG path or http(s) URL')
    .option('-c, --classes <list>', 'classes to tell apart, comma-separated: "forest, water, buildings, farmland"')
    .option('-s, --scheme <name|file>', 'a built-in scheme (eurosat, ucmerced, esa-worldcover, corine-l1) or a scheme file (docs/label-schemes.md)')
    .option('-l, --lang <code>', 'language of the class names and prompts (en, pt, es, fr, de, nl, it, zh, ko, ru)', 'en')
    .option('--min-prob <p>', 'below this probability a tile is "unknown" (default 0.3)', numArg('--min-prob'))
    .option('--min-margin <m>', 'below this margin over the runner-up a tile is "unknown" (default 0)', numArg('--min-margin'))
    .option('--no-ensemble', 'one prompt per class instead of the model\'s template ensemble')
    .option('--dissolve', 'GeoJSON/FlatGeobuf: one multipolygon per class instead of one polygon per tile')
    .option('-o, --output <file>', 'write .geojson, .fgb, .csv (per-class summary) or .tif (class raster COG); repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .option('--no-index', 'keep embeddings in memory only');
  addTilingOptions(addModelOptions(labelCmd))
    .action(async (scene: string, o: CommonOptions & { classes?: string; scheme?: string; lang?: string; minProb?: number; minMargin?: number; ensemble?: boolean; dissolve?: boolean; output?: string[] | string }) => {
      const outputs = (Array.isArray(o.output) ? o.output : o.output ? [o.output] : []).map((path) => ({ path, format: formatOf(path, ['geojson', 'fgb', 'csv', 'cog']) }));
      const e = engineFor(o);
      const bar = progressFor(o);
      try {
        const r = await e.label({ scene, classes: o.classes, scheme: o.scheme, lang: o.lang, minProbability: o.minProb, minMargin: o.minMargin, ensemble: o.ensemble, model: o.model, ...tiling(o) }, { signal: io.signal, onProgress: (p) => bar.update(p) });
        bar.done();
        for (const { path, format } of outputs) await writeExport(path, await e.exportLabels(r.labelId, { format, dissolve: o.dissolve }));
        out(o.json ? JSON.stringify(r, null, 2) + '\n' : formatLabels(r) + outputs.map((x) => `Wrote ${x.path}\n`).join(''));
      } finally {
        bar.done();
      }
    });

  const indexCmd = program
    .command('index')
    .description('embed scenes into the on-disk index once, so later searches cost only the query (resumes interrupted runs)')
    .argument('<scenes...>', 'GeoTIFF / COG paths or URLs');
  addTilingOptions(addModelOptions(indexCmd))
    .action(async (list: string[], o: CommonOptions) => {
      const e = engineFor(o);
      const results = [];
      for (const scene of list) {
        const bar = progressFor(o);
        try {
          const r = await e.index({ scene, model: o.model, ...tiling(o) }, { signal: io.signal, onProgress: (p) => bar.update(p) });
          bar.done();
          results.push(r);
          if (!o.json) {
            const what = r.alreadyIndexed ? 'already indexed, nothing to do' : r.resumedFrom > 0 ? `resumed at tile ${r.resumedFrom}, done` : 'indexed';
            out(`${scene}: ${what}: ${r.tilesEmbedded} tiles embedded, ${r.tilesSkipped} skipped of ${r.tilesTotal} (${(r.elapsedMs / 1000).toFixed(1)} s) [${r.entryId}]\n`);
          }
        } finally {
          bar.done();
        }
      }
      if (o.json) out(JSON.stringify(results, null, 2) + '\n');
    });

  const catalog = program.command('catalog').description('list indexed scenes, models and sizes; remove scenes from the index');
  catalog
    .command('list', { isDefault: true })
    .description('list index entries')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      const entries = await engineFor({}).catalog();
      out(o.json ? JSON.stringify(entries, null, 2) + '\n' : formatCatalog(entries));
    });
  catalog
    .command('remove')
    .description('remove a scene (by path/URL) or an entry (by id) from the index; the scene file itself is never touched')
    .argument('<idOrScene>')
    .action(async (what: string) => {
      const removed = await engineFor({}).removeFromCatalog(what);
      if (removed.length === 0) throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Nothing in the index matches ${what}; see \`geosift catalog\`.`);
      out(`Removed ${removed.length} entr${removed.length === 1 ? 'y' : 'ies'}: ${removed.join(', ')}\n`);
    });

  program
    .command('check-model')
    .description('check a model package against reference outputs (softmax % per image and query), through Geosift\'s own pipeline')
    .argument('<model>', 'model id or package folder')
    .requiredOption('--reference <file.json>', 'reference outputs, e.g. ../shared/data/rs-m-clip-samples/expected_outputs.json')
    .option('--tolerance <points>', 'allowed difference in percentage points', numArg('--tolerance'))
    .addOption(new Option('--provider <name>', 'execution provider').choices(['auto', 'cuda', 'dml', 'coreml', 'cpu']).default('auto'))
    .addOption(new Option('--precision <p>', 'vision graph to check: fp32, or the package\'s int8 variant').choices(['fp32', 'int8']).default('fp32'))
    .option('--json', 'machine-readable output')
    .action(async (modelId: string, o: { reference: string; tolerance?: number; json?: boolean; provider?: CommonOptions['provider']; precision?: CommonOptions['precision'] }) => {
      const model = await engineFor({ provider: o.provider, precision: o.precision }).model(modelId);
      const { ref, baseDir } = await readReference(o.reference);
      const r = await referenceCheck(model, ref, baseDir, o.tolerance ?? REFERENCE_TOLERANCE, io.signal);
      if (o.json) out(JSON.stringify({ model: model.info.manifest.id, provider: model.info.provider, ...r }, null, 2) + '\n');
      else {
        out(`Model ${model.info.manifest.id} (${model.info.provider}, ${model.info.visionFile}) against ${o.reference}\n`);
        for (const row of r.rows) out(`  ${row.ok ? 'ok  ' : 'FAIL'} ${row.ourPercent.toFixed(1).padStart(5)} % (expected ${row.expectedPercent.toFixed(1)} %)  [${row.language}] ${row.text}\n`);
        out(`${r.passed ? 'PASSED' : 'FAILED'}: largest difference ${r.maxDiff.toFixed(2)} points (tolerance ${r.tolerance})\n`);
      }
      if (!r.passed) throw new EngineError(ErrorCodes.MODEL_MISMATCH, `${model.info.manifest.id} does not reproduce the reference outputs (largest difference ${r.maxDiff.toFixed(1)} points).`);
    });

  program
    .command('models')
    .description('list installed model packages')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      const paths = io.engine?.modelSearchPaths ?? defaultModelSearchPaths(packageRoot(), io.env ?? process.env);
      const found = await engineFor({}).listModels();
      if (o.json) out(JSON.stringify({ searchPaths: paths, models: found }, null, 2) + '\n');
      else {
        out(`Searched: ${paths.join(', ')}\n`);
        if (found.length === 0) out('No model packages found.\n');
        for (const m of found) out(`${m.id.padEnd(24)} ${m.name}${m.isDefault ? ' (default)' : ''}  [${m.languages.join(',')}]  ${m.license}\n  ${m.dir ?? ''}\n`);
      }
    });

  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT.ok;
    }
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (isCanceled(e) || io.signal?.aborted) {
      err('geosift: canceled\n');
      return EXIT.canceled;
    }
    if (e instanceof EngineError && e.isUserError) {
      err(`geosift: ${e.code}: ${e.message}\n`);
      return EXIT.userError;
    }
    const ee = e instanceof EngineError ? e : new EngineError(ErrorCodes.INTERNAL, e instanceof Error ? e.message : String(e), { cause: e });
    err(`geosift: ${ee.code}: internal error, please report it: ${ee.message}\n${e instanceof Error && e.stack ? e.stack + '\n' : ''}`);
    return EXIT.internal;
  } finally {
    await engine?.dispose();
  }
}

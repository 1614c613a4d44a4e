// The geosift command line: a thin consumer of createEngine that writes to injected streams.
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { createEngine, DEFAULT_MODEL_ID, GEOSIFT_VERSION, writeFileAtomic, type Engine, type EngineOptions } from '../engine/index.js';
import { defaultModelSearchPaths } from '../engine/model/resolve-model.js';
import { packageRoot } from '../engine/version.js';
import type { SearchResult, TilingParams } from '../../shared/protocol/engine-api.js';
import { EngineError, ErrorCodes, isCanceled } from '../../shared/protocol/errors.js';
import { ProgressBar, type ProgressStream } from './progress.js';
import { formatHits, formatInfo } from './format.js';

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
}

function addRankingOptions(cmd: Command): Command {
  return cmd
    .option('-m, --model <id|dir>', `model id or package folder (default ${DEFAULT_MODEL_ID})`)
    .addOption(new Option('--provider <name>', 'execution provider').choices(['auto', 'cuda', 'dml', 'coreml', 'cpu']).default('auto'))
    .option('--threads <n>', 'inference threads (0 = all cores)', intArg('--threads'))
    .option('--batch <n>', 'tiles per inference batch', intArg('--batch'))
    .option('-t, --tile <size>', 'tile size: pixels ("224px") or metres ("150m"); default the model input size')
    .option('--overlap <amount>', 'tile overlap: fraction (0.25), percent (25%) or pixels (32px)', '0')
    .option('-b, --bands <spec>', 'bands shown to the model: rgb, rgbn, landsat8, sentinel2, or 1-based "4,3,2"', 'rgb')
    .option('--min-valid <fraction>', 'skip tiles with less valid (non-nodata) area than this', numArg('--min-valid'))
    .option('-k, --top <k>', 'number of hits', intArg('--top'), 10)
    .option('--min-score <s>', 'drop hits below this cosine similarity', numArg('--min-score'))
    .option('--suppress <iou>', 'drop hits overlapping a better one by more than this IoU (1 keeps all)', numArg('--suppress'))
    .option('-o, --output <file.geojson>', 'write hits as GeoJSON (RFC 7946, WGS84)')
    .addOption(new Option('--crs <crs>', 'coordinates of the GeoJSON output').choices(['wgs84', 'native']).default('wgs84'))
    .option('--json', 'print the full result as JSON on stdout')
    .option('-q, --quiet', 'no progress output');
}

function tiling(o: CommonOptions): TilingParams {
  return { tile: o.tile, overlap: o.overlap, bands: o.bands, minValid: o.minValid };
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const out = (s: string) => io.stdout.write(s);
  const err = (s: string) => io.stderr.write(s);
  let engine: Engine | undefined;
  const engineFor = (o: CommonOptions): Engine => {
    engine ??= createEngine({ ...io.engine, provider: o.provider, threads: o.threads, batchSize: o.batch });
    return engine;
  };
  const progressFor = (o: CommonOptions) => new ProgressBar(io.stderr, !o.quiet && !o.json && io.stderr.isTTY === true);

  const emit = async (engine: Engine, result: SearchResult, o: CommonOptions) => {
    if (o.output) {
      const fc = await engine.hitsToGeoJSON(result, { crs: o.crs });
      await writeFileAtomic(o.output, JSON.stringify(fc, null, 2) + '\n', io.signal);
    }
    if (o.json) out(JSON.stringify(result, null, 2) + '\n');
    else out(formatHits(result) + (o.output ? `\nWrote ${result.hits.length} hits to ${o.output}\n` : ''));
  };

  const program = new Command()
    .name('geosift')
    .description('Search and label satellite and aerial scenes in natural language.')
    .version(GEOSIFT_VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: out, writeErr: err });

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

  addRankingOptions(
    program
      .command('search')
      .description('rank the scene\'s tiles against a text query, in any language the model knows')
      .argument('<scene>', 'GeoTIFF / COG path or http(s) URL')
      .argument('<query>', 'what to look for, e.g. "airplanes near a runway" or "campo de golfe"'),
  ).action(async (scene: string, query: string, o: CommonOptions) => {
    const e = engineFor(o);
    const bar = progressFor(o);
    try {
      const result = await e.search({ scene, query, model: o.model, top: o.top, minScore: o.minScore, suppressIoU: o.suppress, ...tiling(o) }, { signal: io.signal, onProgress: (p) => bar.update(p) });
      bar.done();
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

  program
    .command('models')
    .description('list installed model packages')
    .option('--json', 'machine-readable output')
    .action((o: { json?: boolean }) => {
      const paths = io.engine?.modelSearchPaths ?? defaultModelSearchPaths(packageRoot(), io.env ?? process.env);
      const found: { id: string; name: string; dir: string; languages: string[]; license: string }[] = [];
      for (const base of paths) {
        if (!existsSync(base)) continue;
        for (const name of readdirSync(base)) {
          const mf = join(base, name, 'model.json');
          if (!existsSync(mf)) continue;
          try {
            const m = JSON.parse(readFileSync(mf, 'utf8'));
            found.push({ id: m.id, name: m.name, dir: join(base, name), languages: m.languages ?? [], license: m.license });
          } catch {
            found.push({ id: name, name: '(unreadable model.json)', dir: join(base, name), languages: [], license: '' });
          }
        }
      }
      if (o.json) out(JSON.stringify({ searchPaths: paths, models: found }, null, 2) + '\n');
      else {
        out(`Searched: ${paths.join(', ')}\n`);
        if (found.length === 0) out('No model packages found.\n');
        for (const m of found) out(`${m.id.padEnd(24)} ${m.name}  [${m.languages.join(',')}]  ${m.license}\n  ${m.dir}\n`);
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

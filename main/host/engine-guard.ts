// Wraps an EngineApi so that every scene, image and model a peer names passes a path policy first.
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type {
  CatalogEntry, CatalogSearchParams, EngineApi, ExportOptions, ExportRequest, IndexParams, LabelParams, PreviewTileParams, SearchParams, SearchResult,
  SimilarParams,
} from '../../shared/protocol/engine-api.js';
import { ENGINE_METHODS } from '../../shared/protocol/engine-api.js';
import { EngineError, ErrorCodes } from '../../shared/protocol/errors.js';
import type { TaskContext } from '../../shared/protocol/progress.js';

/** What a peer may open. Implementations throw EngineError; they never return a path they did not check. */
export interface ScenePolicy {
  /** The canonical path (or URL) the engine should open in place of `source`. */
  authorize(source: unknown, what: 'scene' | 'image' | 'scheme'): Promise<string>;
  /** Whether a source the engine reports (catalog entries) may be shown to this peer. */
  permits(source: string): Promise<boolean>;
}

/** `details.refused` marks a policy refusal, so clients can tell it from a bad value (no dedicated code exists yet). */
export function refused(message: string, reason: string): EngineError {
  return new EngineError(ErrorCodes.BAD_ARGUMENT, message, { details: { refused: reason } });
}

const URL_RE = /^[a-z][a-z0-9+.-]+:\/\//i;
const MAX_PATH_CHARS = 4096;

function isInside(child: string, dir: string): boolean {
  const rel = relative(dir, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

/** Refuses `..`, `.` and their percent-encoded forms in any segment, before anything touches the disk. */
function checkSegments(source: string): void {
  for (const seg of source.split(/[\\/]+/)) {
    let decoded = seg;
    try {
      decoded = decodeURIComponent(seg);
    } catch {
      // not percent-encoded: the segment is what it is
    }
    if (seg === '..' || seg === '.' || decoded === '..' || decoded === '.' || (decoded !== seg && /[\\/]/.test(decoded))) {
      throw refused(`Refused ${JSON.stringify(source.slice(0, 200))}: paths with "..", "." or encoded separators are not accepted.`, 'traversal');
    }
  }
}

export interface PathPolicyOptions {
  /** Single files that may be opened (scenes named on the command line, files the user picked). */
  files?: string[];
  /** Folders below which any file may be opened. */
  dirs?: string[];
  /** Remote scenes (exact URLs) that may be opened. */
  urls?: string[];
}

export interface PathPolicy extends ScenePolicy {
  grantFile(path: string): Promise<string>;
  grantDir(path: string): Promise<string>;
  grantUrl(url: string): void;
  /** Canonical files and folders granted so far. */
  readonly files: ReadonlySet<string>;
  readonly dirs: ReadonlySet<string>;
  readonly urls: ReadonlySet<string>;
}

/**
 * A policy over an allow-list of files, folders and URLs. A path must be absolute, free of `..`,
 * lexically inside what was granted (so refused paths never reach the disk: no probing), and its
 * realpath must still be inside (so a symlink cannot lead out).
 */
export async function createPathPolicy(options: PathPolicyOptions = {}): Promise<PathPolicy> {
  // Both the spelling the user gave and the realpath are kept: the lexical check needs the former.
  const lexFiles = new Set<string>();
  const lexDirs = new Set<string>();
  const files = new Set<string>();
  const dirs = new Set<string>();
  const urls = new Set<string>();

  const canonical = async (p: string, kind: 'file' | 'folder'): Promise<string> => {
    if (typeof p !== 'string' || p === '' || p.includes('\0')) throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Not a ${kind} path: ${JSON.stringify(p)}`);
    let real: string;
    try {
      real = await realpath(resolve(p));
    } catch {
      throw new EngineError(ErrorCodes.FILE_NOT_FOUND, `Cannot allow ${p}: the ${kind} does not exist or cannot be read.`);
    }
    const st = await stat(real);
    if (kind === 'file' ? !st.isFile() : !st.isDirectory()) throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Cannot allow ${p}: it is not a ${kind}.`);
    return real;
  };

  const policy: PathPolicy = {
    files,
    dirs,
    urls,
    async grantFile(p) {
      const real = await canonical(p, 'file');
      lexFiles.add(resolve(p));
      lexFiles.add(real);
      files.add(real);
      return real;
    },
    async grantDir(p) {
      const real = await canonical(p, 'folder');
      lexDirs.add(resolve(p));
      lexDirs.add(real);
      dirs.add(real);
      return real;
    },
    grantUrl(url) {
      if (typeof url !== 'string' || !/^https?:\/\/[^\s]+$/i.test(url)) throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Only http(s) URLs can be opened, got ${JSON.stringify(String(url).slice(0, 200))}`);
      urls.add(url);
    },
    async authorize(source, what) {
      if (typeof source !== 'string' || source.trim() === '') throw new EngineError(ErrorCodes.BAD_ARGUMENT, `No ${what} given`);
      if (source.length > MAX_PATH_CHARS || source.includes('\0')) throw refused(`Refused a ${what} path: too long or contains a NUL byte.`, 'malformed');
      if (URL_RE.test(source)) {
        if (urls.has(source)) return source;
        throw refused(`Refused ${source.slice(0, 200)}: this session may open only the remote scenes it was given.`, 'not-allowed');
      }
      if (!isAbsolute(source)) throw refused(`Refused ${JSON.stringify(source.slice(0, 200))}: give an absolute path.`, 'relative');
      checkSegments(source);
      const lexical = resolve(source);
      const notAllowed = () => refused(`Refused ${lexical}: it is not a scene named on the command line nor below an allowed folder (--allow).`, 'not-allowed');
      if (!lexFiles.has(lexical) && ![...lexDirs].some((d) => isInside(lexical, d))) throw notAllowed();
      let real: string;
      try {
        real = await realpath(lexical);
      } catch {
        throw new EngineError(ErrorCodes.FILE_NOT_FOUND, `${lexical} does not exist or cannot be read.`);
      }
      if (!files.has(real) && ![...dirs].some((d) => isInside(real, d))) {
        throw refused(`Refused ${lexical}: it leads (through a link) to ${real}, outside the allowed files and folders.`, 'symlink-escape');
      }
      const st = await stat(real);
      if (!st.isFile()) throw new EngineError(ErrorCodes.BAD_ARGUMENT, `${lexical} is not a file.`);
      return real;
    },
    async permits(source) {
      try {
        await policy.authorize(source, 'scene');
        return true;
      } catch {
        return false;
      }
    },
  };
  for (const f of options.files ?? []) await policy.grantFile(f);
  for (const d of options.dirs ?? []) await policy.grantDir(d);
  for (const u of options.urls ?? []) policy.grantUrl(u);
  return policy;
}

/** Model ids only: a peer must not make the engine load an ONNX file from an arbitrary folder. */
function checkModel(model: unknown): void {
  if (model === undefined || model === null) return;
  if (typeof model !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(model) || model.includes('..')) {
    throw refused(`Refused model ${JSON.stringify(String(model).slice(0, 200))}: name a model id from the app's model folders, not a path.`, 'model-path');
  }
}

function params<T extends object>(p: unknown, method: string): T {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new EngineError(ErrorCodes.BAD_ARGUMENT, `${method} takes an object of parameters`);
  return p as T;
}

/** The guarded methods: exactly the keys of ENGINE_METHODS, so a new method fails the typecheck until it has a rule here. */
export type GuardedEngine = { [K in keyof typeof ENGINE_METHODS]: EngineApi[K] };

/**
 * The engine as a peer may use it: scene and image paths authorized and replaced by their
 * canonical form, model paths refused, the catalog narrowed to what the policy permits.
 */
export function guardEngine(api: EngineApi, policy: ScenePolicy): GuardedEngine {
  const permittedEntries = async (): Promise<CatalogEntry[]> => {
    const out: CatalogEntry[] = [];
    for (const e of await api.catalog()) if (await policy.permits(e.source)) out.push(e);
    return out;
  };
  // Label runs live in the engine by handle; a peer may export only the runs it started.
  const labelIds = new Set<string>();
  const authorizeResult = async (result: SearchResult, method: string): Promise<SearchResult> => {
    const r = params<SearchResult>(result, method);
    const scene = params<SearchResult['scene']>(r.scene, `${method} (result.scene)`);
    return { ...r, scene: { ...scene, source: await policy.authorize(scene.source, 'scene') } };
  };
  const guarded: GuardedEngine = {
    async listModels() {
      // Ids, names and languages only: a peer learns no folder of this machine.
      return (await api.listModels()).map(({ dir: _dir, ...m }) => m);
    },
    async info(source: string, ctx?: TaskContext) {
      return api.info(await policy.authorize(source, 'scene'), ctx);
    },
    async previewTile(p: PreviewTileParams, ctx?: TaskContext) {
      const q = params<PreviewTileParams>(p, 'previewTile');
      return api.previewTile({ ...q, scene: await policy.authorize(q.scene, 'scene') }, ctx);
    },
    async index(p: IndexParams, ctx?: TaskContext) {
      const q = params<IndexParams>(p, 'index');
      checkModel(q.model);
      return api.index({ ...q, scene: await policy.authorize(q.scene, 'scene') }, ctx);
    },
    async search(p: SearchParams, ctx?: TaskContext) {
      const q = params<SearchParams>(p, 'search');
      checkModel(q.model);
      return api.search({ ...q, scene: await policy.authorize(q.scene, 'scene') }, ctx);
    },
    async similar(p: SimilarParams, ctx?: TaskContext) {
      const q = params<SimilarParams>(p, 'similar');
      checkModel(q.model);
      const image = q.image === undefined ? undefined : await policy.authorize(q.image, 'image');
      return api.similar({ ...q, scene: await policy.authorize(q.scene, 'scene'), ...(image === undefined ? {} : { image }) }, ctx);
    },
    async catalog() {
      return permittedEntries();
    },
    async removeFromCatalog(idOrSource: string) {
      if (typeof idOrSource !== 'string' || idOrSource === '') throw new EngineError(ErrorCodes.BAD_ARGUMENT, 'Name an index entry id or a scene path to remove');
      const all = await api.catalog();
      const matches = all.filter((e) => e.id === idOrSource || e.source === idOrSource);
      if (matches.length === 0) {
        if (!isAbsolute(idOrSource) && !URL_RE.test(idOrSource)) return [];
        return api.removeFromCatalog(await policy.authorize(idOrSource, 'scene'));
      }
      for (const m of matches) {
        if (!(await policy.permits(m.source))) throw refused(`Refused to remove ${idOrSource}: its scene is not one this session may open.`, 'not-allowed');
      }
      return api.removeFromCatalog(idOrSource);
    },
    async searchCatalog(p: CatalogSearchParams, ctx?: TaskContext) {
      const q = params<CatalogSearchParams>(p, 'searchCatalog');
      checkModel(q.model);
      let scenes: string[];
      if (Array.isArray(q.scenes) && q.scenes.length) {
        scenes = [];
        for (const s of q.scenes) scenes.push(await policy.authorize(s, 'scene'));
      } else {
        scenes = (await permittedEntries()).map((e) => e.source);
        // The engine reads an empty list as "every scene"; a name no entry has keeps it to none.
        if (scenes.length === 0) scenes = ['\u0000no-permitted-scene'];
      }
      return api.searchCatalog({ ...q, scenes }, ctx);
    },
    async hitsToGeoJSON(result: SearchResult, options?: ExportOptions) {
      return api.hitsToGeoJSON(await authorizeResult(result, 'hitsToGeoJSON'), options);
    },
    async exportHits(result: SearchResult, request: ExportRequest) {
      return api.exportHits(await authorizeResult(result, 'exportHits'), request);
    },
    async label(p: LabelParams, ctx?: TaskContext) {
      const q = params<LabelParams>(p, 'label');
      checkModel(q.model);
      // A built-in scheme is an id; anything else names a scheme file, which must be allowed like a scene.
      const scheme = q.scheme === undefined || (typeof q.scheme === 'string' && /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(q.scheme)) ? q.scheme : await policy.authorize(q.scheme, 'scheme');
      const summary = await api.label({ ...q, scene: await policy.authorize(q.scene, 'scene'), ...(scheme === undefined ? {} : { scheme }) }, ctx);
      labelIds.add(summary.labelId);
      return summary;
    },
    async exportLabels(labelId: string, request: ExportRequest) {
      if (typeof labelId !== 'string' || !labelIds.has(labelId)) throw refused(`Refused to export labels ${JSON.stringify(String(labelId).slice(0, 64))}: not a labeling run of this session.`, 'not-allowed');
      return api.exportLabels(labelId, request);
    },
  };
  return guarded;
}

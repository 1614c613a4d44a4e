// The catalog's embeddings for one model held in memory as one matrix, for search across every indexed scene.
//
// Catalog search used to read every entry's files from disk on each query. Here the committed rows of all entries of
// a model are read once into one float32 matrix (with, per row, its entry and tile) and kept while the catalog is
// unchanged: a query is then one product over the matrix (tasks/scorer.ts) or, for large catalogs, an IVF search
// (ann.ts) built once over the same matrix. The key lists every entry's id and committed size, so indexing more,
// resuming or removing a scene gives a new key and the matrix is read again.

import { EngineError, ErrorCodes, throwIfAborted } from '../../../shared/protocol/errors.js';
import { buildIvf, type BlockScorer, type IvfIndex } from './ann.js';
import type { EntrySummary, IndexStore, StoredTile } from './store.js';

export interface CatalogPart {
  entry: EntrySummary;
  tiles: StoredTile[];
  /** First row of this entry in the matrix. */
  rowStart: number;
  rows: number;
}

export interface CatalogRows {
  key: string;
  dim: number;
  /**
   * rows x dim: every entry's committed vectors in entry order, or, once the IVF index is built, the index's own
   * copy in list order (the matrix is then held once, not twice); `position` maps a row to its place here.
   */
  vectors: Float32Array;
  /** Where each row lies in `vectors`; absent while rows are in entry order. Swapped together with `vectors`. */
  position?: Int32Array;
  parts: CatalogPart[];
  /** Part of each row. */
  rowPart: Int32Array;
  /** Tile of each row (position in its part's `tiles`). */
  rowTile: Int32Array;
  /** Built on first approximate search. */
  ivf?: Promise<IvfIndex>;
}

/** Identity of a set of entries at their committed state. */
export function catalogKey(entries: EntrySummary[]): string {
  return entries.map((e) => `${e.id}:${e.positions}:${e.rows}:${e.complete ? 1 : 0}:${e.createdAt}`).join('|');
}

/** Reads the committed rows of `entries` (all of one model) into one matrix. */
export async function loadCatalogRows(store: IndexStore, entries: EntrySummary[], signal?: AbortSignal): Promise<CatalogRows> {
  const loaded: { entry: EntrySummary; tiles: StoredTile[]; vectors: Float32Array }[] = [];
  let dim = 0;
  let total = 0;
  for (const entry of entries) {
    throwIfAborted(signal);
    const reader = await store.reader({ scene: entry.scene, model: entry.model, tiling: entry.tiling });
    if (!reader) continue;
    if (dim && reader.meta.dim !== dim) {
      throw new EngineError(ErrorCodes.INTERNAL, `Index entry ${entry.id} has ${reader.meta.dim}-value vectors, others of the same model ${dim}`);
    }
    dim = reader.meta.dim;
    const { tiles, vectors } = await reader.load();
    loaded.push({ entry, tiles, vectors });
    total += vectors.length / dim;
  }
  const vectors = new Float32Array(total * dim);
  const rowPart = new Int32Array(total);
  const rowTile = new Int32Array(total).fill(-1);
  const parts: CatalogPart[] = [];
  let row = 0;
  for (const [p, l] of loaded.entries()) {
    const rows = dim ? l.vectors.length / dim : 0;
    vectors.set(l.vectors, row * dim);
    rowPart.fill(p, row, row + rows);
    l.tiles.forEach((t, i) => {
      if (t.row >= 0 && t.row < rows) rowTile[row + t.row] = i;
    });
    parts.push({ entry: l.entry, tiles: l.tiles, rowStart: row, rows });
    row += rows;
  }
  return { key: catalogKey(entries), dim, vectors, parts, rowPart, rowTile };
}

/**
 * The IVF index over the matrix, built once (cells found through `scorer`'s matrix products). Once built, the catalog
 * keeps the index's list-ordered copy as its matrix and lets the entry-ordered one go (exact searches running meanwhile
 * hold their own reference to it and to its mapping).
 */
export function catalogIvf(c: CatalogRows, scorer: BlockScorer, signal?: AbortSignal): Promise<IvfIndex> {
  if (!c.ivf) {
    c.ivf = buildIvf(c.vectors, c.dim, { scorer, signal }).then((ivf) => {
      const position = new Int32Array(ivf.ids.length);
      ivf.ids.forEach((row, p) => (position[row] = p));
      c.vectors = ivf.vectors;
      c.position = position;
      return ivf;
    });
    c.ivf.catch(() => (c.ivf = undefined)); // canceled or failed: the next search builds it again
  }
  return c.ivf;
}

/** The matrix and its row mapping as they are now, for one exact search: scores[at(row)] is the row's score. */
export function catalogSnapshot(c: CatalogRows): { vectors: Float32Array; at: (row: number) => number } {
  const { vectors, position } = c;
  return { vectors, at: position ? (row) => position[row] : (row) => row };
}

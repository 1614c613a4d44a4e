// The bundled default model on mosaics of real UC Merced and EuroSAT test images: labeling accuracy and search precision, reported.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../main/engine/index.js';
import { generatedDir } from '../helpers/paths.js';

const dir = join(generatedDir, 'mosaic');
const norm = (s: string) => s.toLowerCase().replace(/[^a-z]/g, '');
/** The default model, found the way the app finds it (the repository's models/ folder); embeddings in memory only. */
const engine = createEngine({ indexDir: false });
afterAll(() => engine.dispose());

const cases = [
  { mosaic: 'ucm-mosaic', scheme: 'ucmerced', tile: '256px', classes: 21 },
  { mosaic: 'eurosat-mosaic', scheme: 'eurosat', tile: '64px', classes: 10 },
];

describe('default model (geosift-rs-mini) on real test images', () => {
  for (const c of cases) {
    it(`${c.mosaic}: labels with the ${c.scheme} scheme and ranks class queries (figures printed)`, async () => {
      const layout = JSON.parse(readFileSync(join(dir, `${c.mosaic}.json`), 'utf8')) as { cells: { index: number; label: string }[] };
      const truth = new Map(layout.cells.map((x) => [x.index, norm(x.label)]));
      const scene = join(dir, `${c.mosaic}.tif`);
      const r = await engine.label({ scene, scheme: c.scheme, tile: c.tile, minProbability: 0 });
      expect(r.model.id).toBe('geosift-rs-mini');
      expect(r.tiles).toHaveLength(layout.cells.length);
      const correct = r.tiles.filter((t) => norm(t.classId) === truth.get(t.tileIndex)).length;
      const accuracy = correct / r.tiles.length;
      // Precision@10 of each class's English name as a query (EuroSAT has 10 cells per class; UC Merced 1-2, so its P@10 is bounded by 0.2).
      const precisions: number[] = [];
      for (const cls of r.scheme.classes) {
        const s = await engine.search({ scene, query: cls.name, tile: c.tile, top: 10, suppressIoU: 1 });
        precisions.push(s.hits.filter((h) => truth.get(h.tileIndex) === norm(cls.id)).length / 10);
      }
      const meanP10 = precisions.reduce((a, b) => a + b, 0) / precisions.length;
      console.log(`${c.mosaic} (${r.tiles.length} cells, ${c.classes} classes): labeling accuracy ${(100 * accuracy).toFixed(1)} % (chance ${(100 / c.classes).toFixed(1)} %), mean precision@10 ${meanP10.toFixed(3)}`);
      // The model is small and was trained for one CPU-hour (models/training/README.md): it must beat chance clearly, not much more.
      expect(accuracy).toBeGreaterThan(2 / c.classes);
    });
  }
});

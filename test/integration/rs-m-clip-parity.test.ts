// Parity of Geosift's TypeScript pipeline with PyTorch/open_clip on the exact RS-M-CLIP architecture (seeded weights).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, preprocessBatch, preprocessSpec, type Model } from '../../main/engine/model/index.js';
import { loadTokenizer } from '../../main/engine/model/tokenizer/index.js';
import { dataDir, generatedDir } from '../helpers/paths.js';
import { cosine } from '../helpers/test-model-rule.js';

const dir = join(generatedDir, 'rs-m-clip-parity');
const expected = () => JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

let model: Model;
beforeAll(async () => {
  model = await loadModel(join(dir, 'package'), { provider: 'cpu' });
}, 300_000);
afterAll(async () => {
  await model?.dispose();
});

describe('RS-M-CLIP architecture (xlm-roberta-base-ViT-B-32, seeded weights): TypeScript vs PyTorch', () => {
  it('image embeddings from open_clip-preprocessed pixels: cosine >= 0.9999', async () => {
    const e = expected();
    const report: string[] = [];
    for (const img of e.images) {
      const buf = readFileSync(join(dir, img.pixelsFile));
      const pixels = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
      const [emb] = await model.encodePixels(pixels, 1);
      const c = cosine(emb, img.embedding);
      report.push(`${img.image}: cosine ${c.toFixed(7)}, max |diff| ${maxAbs(emb, img.embedding).toExponential(2)}`);
      expect(c).toBeGreaterThanOrEqual(0.9999);
    }
    console.log(report.join('\n'));
  });

  it('tokenization and text embeddings: same ids as the tokenizers library, cosine >= 0.9999', async () => {
    const e = expected();
    const tok = await loadTokenizer(join(dir, 'package', 'tokenizer.json'));
    const report: string[] = [];
    for (const t of e.texts) {
      expect(tok.encode(t.text, { maxLength: model.info.manifest.text.contextLength }).ids).toEqual(t.ids);
      const [emb] = await model.encodeTexts([t.text]);
      const c = cosine(emb, t.embedding);
      report.push(`"${t.text.slice(0, 40)}": cosine ${c.toFixed(7)}, max |diff| ${maxAbs(emb, t.embedding).toExponential(2)}`);
      expect(c).toBeGreaterThanOrEqual(0.9999);
    }
    console.log(report.join('\n'));
  });

  it('preprocessing of the real UC Merced JPEGs against open_clip (report; decoders differ)', async () => {
    const e = expected();
    const spec = preprocessSpec(model.info.manifest);
    for (const img of e.images) {
      const file = readFileSync(join(dataDir, img.image));
      const d = jpeg.decode(file, { useTArray: true, formatAsRGBA: false });
      const rgb = { width: d.width, height: d.height, data: new Uint8Array(d.data.buffer, d.data.byteOffset, d.width * d.height * 3) };
      const ours = preprocessBatch([rgb], spec);
      const buf = readFileSync(join(dir, img.pixelsFile));
      const ref = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
      // Error in 0..1 pixel units (undo the normalisation's std).
      let max = 0, sum = 0;
      for (let c = 0; c < 3; c++) {
        const plane = 224 * 224;
        for (let i = 0; i < plane; i++) {
          const err = Math.abs(ours[c * plane + i] - ref[c * plane + i]) * spec.std[c];
          max = Math.max(max, err);
          sum += err;
        }
      }
      const mean = sum / ref.length;
      console.log(`${img.image}: preprocessing max |err| ${(max * 255).toFixed(1)}/255, mean ${(mean * 255).toFixed(2)}/255 (JPEG decoder: jpeg-js vs libjpeg)`);
      // The resize itself is bit-exact (test/unit/engine/model/preprocess.test.ts); what remains is JPEG decoding.
      expect(mean * 255).toBeLessThan(2);
      // And the embeddings barely notice.
      const [emb] = await model.encodePixels(ours, 1);
      expect(cosine(emb, img.embedding)).toBeGreaterThan(0.999);
    }
  });
});

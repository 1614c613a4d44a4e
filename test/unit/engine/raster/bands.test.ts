// Band presets and explicit GDAL band lists resolved against real scenes.
import { beforeAll, describe, expect, it } from 'vitest';
import { listBandPresets, resolveBands } from '../../../../main/engine/raster/bands.js';
import { openScene } from '../../../../main/engine/raster/open-scene.js';
import type { SceneInfo } from '../../../../main/engine/raster/types.js';
import { requireData, scenePath } from '../../../helpers/paths.js';

const files = {
  rgb: 'rasterio_tests_data/RGB.byte.tif',
  cogeo: 'rasterio_tests_data/cogeo.tif',
  world: 'rio-tiler_tests_fixtures/cog_world.tif',
  naip: 'opengeos_data/naip/m_4709963_se_14_1_20200831.tif',
  l8: 'derived/l8_B1-B7_stack_cog.tif',
  l7: 'debian_r-cran-stars/L7_ETMs.tif',
  pix4d: 'rio-tiler_tests_fixtures/my-bucket/pix4d/pix4d_alpha_nodata.tif',
  tci: 'titiler_tests_fixtures/TCI.tif',
};
const info = {} as Record<keyof typeof files, SceneInfo>;

beforeAll(async () => {
  for (const [k, f] of Object.entries(files)) {
    const s = await openScene(requireData(scenePath(f)));
    info[k as keyof typeof files] = s.info;
    await s.close();
  }
});

describe('resolveBands', () => {
  it('rgb follows colour interpretation, else 1,2,3, and shows one band as gray', () => {
    expect(resolveBands(info.rgb)).toEqual([0, 1, 2]);
    expect(resolveBands(info.cogeo, 'rgb')).toEqual([0, 1, 2]);
    expect(resolveBands(info.pix4d, 'rgb')).toEqual([0, 1, 2]);
    expect(resolveBands(info.l7, 'rgb')).toEqual([0, 1, 2]);
    expect(resolveBands(info.world, 'rgb')).toEqual([0, 0, 0]);
    // Colour interpretation wins over file order.
    const swapped: SceneInfo = { ...info.rgb, bands: info.rgb.bands.map((b, i) => ({ ...b, colorInterp: (['blue', 'green', 'red'] as const)[i] })) };
    expect(resolveBands(swapped, 'rgb')).toEqual([2, 1, 0]);
  });

  it('rgbn takes R,G,B of a NAIP stack', () => {
    expect(info.naip.bandCount).toBe(4);
    expect(resolveBands(info.naip, 'rgbn')).toEqual([0, 1, 2]);
  });

  it('landsat8 picks B4,B3,B2 by description, and by stack order without descriptions', () => {
    expect(info.l8.bands[3].description).toBe('B4 red');
    expect(resolveBands(info.l8, 'landsat8')).toEqual([3, 2, 1]);
    const bare: SceneInfo = { ...info.l8, bands: info.l8.bands.map((b) => ({ ...b, description: null })) };
    expect(resolveBands(bare, 'landsat8')).toEqual([3, 2, 1]);
    expect(resolveBands(info.l8, 'landsat-swir')).toEqual([6, 5, 3]);
    expect(() => resolveBands(info.rgb, 'landsat8')).toThrow(expect.objectContaining({ code: 'E_BAD_BANDS', message: expect.stringMatching(/band 4/) }));
  });

  it('sentinel2 uses descriptions when present, else the 13-band order, and refuses a 3-band TCI', () => {
    const names = ['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B10', 'B11', 'B12'];
    const s2: SceneInfo = { ...info.l8, bandCount: 13, bands: names.map((d, index) => ({ index, description: d, colorInterp: 'undefined' })) };
    expect(resolveBands(s2, 'sentinel2')).toEqual([3, 2, 1]);
    // Described bands in a different order (e.g. a 10 m stack B2,B3,B4,B8).
    const tenM: SceneInfo = { ...info.naip, bands: ['B2', 'B3', 'B4', 'B8'].map((d, index) => ({ index, description: d, colorInterp: 'undefined' })) };
    expect(resolveBands(tenM, 'sentinel2')).toEqual([2, 1, 0]);
    const undescribed: SceneInfo = { ...s2, bands: s2.bands.map((b) => ({ ...b, description: null })) };
    expect(resolveBands(undescribed, 'sentinel2')).toEqual([3, 2, 1]);
    expect(() => resolveBands(info.tci, 'sentinel2')).toThrow(expect.objectContaining({ code: 'E_BAD_BANDS' }));
  });

  it('explicit 1-based lists like GDAL, naming the missing band', () => {
    expect(resolveBands(info.l8, '4,3,2')).toEqual([3, 2, 1]);
    expect(resolveBands(info.l8, ' 7, 5 ,1')).toEqual([6, 4, 0]);
    expect(resolveBands(info.l8, '5')).toEqual([4, 4, 4]);
    expect(() => resolveBands(info.rgb, '4,3,2')).toThrow(
      expect.objectContaining({ code: 'E_BAD_BANDS', message: expect.stringMatching(/band 4, which does not exist.*1-3/) }),
    );
    expect(() => resolveBands(info.rgb, '0,1,2')).toThrow(expect.objectContaining({ code: 'E_BAD_BANDS', message: expect.stringMatching(/band 0/) }));
    expect(() => resolveBands(info.rgb, '1,2')).toThrow(expect.objectContaining({ code: 'E_BAD_BANDS' }));
    expect(() => resolveBands(info.rgb, 'ndvi')).toThrow(expect.objectContaining({ code: 'E_BAD_BANDS', message: expect.stringMatching(/Unknown band preset "ndvi"/) }));
  });

  it('lists its presets', () => {
    expect(listBandPresets().map((p) => p.id)).toEqual(expect.arrayContaining(['rgb', 'rgbn', 'landsat8', 'landsat-swir', 'sentinel2']));
  });
});

// The scene as an OpenLayers tile layer in its own CRS (registered with proj4) whose tiles are the engine's preview tiles.
import TileLayer from 'ol/layer/Tile.js';
import { get as getProjection, Projection } from 'ol/proj.js';
import { register } from 'ol/proj/proj4.js';
import type ImageTile from 'ol/ImageTile.js';
import TileImage from 'ol/source/TileImage.js';
import TileState from 'ol/TileState.js';
import TileGrid from 'ol/tilegrid/TileGrid.js';
import proj4 from 'proj4';
import type { SceneInfo } from '../../../shared/protocol/scene.js';
import type { PreviewSource } from './preview-cache.js';
import type { SceneGridSpec } from './tile-grid.js';

export const PIXEL_PROJECTION_CODE = 'GEOSIFT:PIXELS';

function hash(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}

/** The OpenLayers projection of a scene's grid: its CRS through proj4, or a pixel plane. */
export function sceneProjection(info: SceneInfo, spec: SceneGridSpec): Projection {
  if (spec.mode === 'pixel') return new Projection({ code: PIXEL_PROJECTION_CODE, units: 'pixels', extent: spec.extent });
  const def = info.crs!.proj4!;
  // A hashed code: two files may share an EPSG number but carry different (towgs84, axis) definitions.
  const code = `GEOSIFT:${info.crs!.epsg ?? 'CUSTOM'}-${hash(def)}`;
  if (!proj4.defs(code)) {
    proj4.defs(code, def);
    register(proj4);
  }
  const projection = getProjection(code);
  if (!projection) throw new Error(`Cannot register the scene's CRS (${info.crs!.name}) for display`);
  return projection;
}

export function createSceneLayer(spec: SceneGridSpec, projection: Projection, previews: PreviewSource, onTileError: (e: unknown) => void): TileLayer<TileImage> {
  const tileGrid = new TileGrid({ extent: spec.extent, origin: spec.origin, resolutions: spec.resolutions, tileSize: spec.tileSize });
  const source = new TileImage({
    projection,
    tileGrid,
    interpolate: true,
    wrapX: false,
    tileUrlFunction: (c) => `geosift:${c[0]}/${c[1]}/${c[2]}`,
    tileLoadFunction: (tile, src) => {
      const [z, x, y] = src.slice('geosift:'.length).split('/').map(Number);
      previews
        .tile(spec.levels[z], x, y, spec.tileSize)
        .then((img) => {
          // Edge tiles come back smaller than the grid's tile: pad them so OpenLayers does not stretch them.
          const canvas = document.createElement('canvas');
          canvas.width = spec.tileSize;
          canvas.height = spec.tileSize;
          canvas.getContext('2d')!.drawImage(img, 0, 0);
          (tile as ImageTile).setImage(canvas);
        })
        .catch((e: unknown) => {
          tile.setState(TileState.ERROR);
          onTileError(e);
        });
    },
  });
  return new TileLayer({ source, properties: { name: 'scene' } });
}

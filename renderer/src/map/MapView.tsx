// The map: scene tiles in the scene's CRS reprojected to Web Mercator (or a pixel plane), hits, heatmap, class overlay, optional basemap.
import Feature from 'ol/Feature.js';
import type { FeatureLike } from 'ol/Feature.js';
import type Polygon from 'ol/geom/Polygon.js';
import TileLayer from 'ol/layer/Tile.js';
import VectorLayer from 'ol/layer/Vector.js';
import { get as getProjection, transform } from 'ol/proj.js';
import OSM from 'ol/source/OSM.js';
import VectorSource from 'ol/source/Vector.js';
import { Fill, Stroke, Style, Text } from 'ol/style.js';
import View from 'ol/View.js';
import { useEffect, useRef } from 'react';
import type { PixelWindow, PolygonGeometry } from '../../../shared/geo/types.js';
import type { SceneInfo } from '../../../shared/protocol/scene.js';
import { hitGeometry, windowGeometry, type Placement } from './geometry.js';
import type { PreviewSource } from './preview-cache.js';
import { createSceneLayer, sceneProjection } from './scene-layer.js';
import { rgbCss, scoreColor, type Rgb } from './score-color.js';
import { installTestHooks } from './test-hooks.js';
import { gridToPixel, type SceneGridSpec } from './tile-grid.js';
import { useOlMap } from './use-ol-map.js';

export interface MapHit {
  tileIndex: number;
  rank: number;
  score: number;
  window: PixelWindow;
  polygon: PolygonGeometry | null;
}

export interface ClassTile {
  tileIndex: number;
  window: PixelWindow;
  color: Rgb;
}

export interface MapViewProps {
  previews: PreviewSource;
  info: SceneInfo;
  spec: SceneGridSpec;
  hits: MapHit[];
  scoreStats: { min: number; max: number } | null;
  hoveredTile: number | null;
  selectedTile: number | null;
  onHover(tileIndex: number | null): void;
  onSelect(tileIndex: number): void;
  heat: MapHit[] | null;
  heatOpacity: number;
  classTiles: ClassTile[] | null;
  classOpacity: number;
  /** Click on the scene away from any hit, in full-resolution pixel coordinates. */
  onScenePixelClick?(col: number, row: number): void;
  basemap: boolean;
  zoomTo: { tileIndex: number; nonce: number } | null;
  onTileError(e: unknown): void;
}

interface SceneLayers {
  placement: Placement;
  hits: VectorLayer<VectorSource<Feature<Polygon>>>;
  heat: VectorLayer<VectorSource<Feature<Polygon>>>;
  classes: VectorLayer<VectorSource<Feature<Polygon>>>;
  basemap: TileLayer<OSM>;
}

const HALO = new Stroke({ color: 'rgba(20, 24, 28, 0.9)', width: 6 });

export function MapView(props: MapViewProps) {
  const { targetRef, map } = useOlMap();
  const layersRef = useRef<SceneLayers | null>(null);
  const propsRef = useRef(props);
  propsRef.current = props;

  // Scene: projection, view, tile layer and the (empty) overlay layers.
  useEffect(() => {
    if (!map) return;
    const { info, spec, previews } = props;
    const sceneProj = sceneProjection(info, spec);
    const viewProj = spec.mode === 'geo' ? getProjection('EPSG:3857')! : sceneProj;
    const placement: Placement = { info, spec, sceneProjection: sceneProj, viewProjection: viewProj };
    const sceneLayer = createSceneLayer(spec, sceneProj, previews, (e) => propsRef.current.onTileError(e));
    const basemap = new TileLayer({ source: new OSM(), visible: false, properties: { name: 'basemap' } });
    const hits = new VectorLayer({ source: new VectorSource<Feature<Polygon>>(), style: (f) => hitStyle(f, propsRef.current), properties: { name: 'hits' } });
    const heat = new VectorLayer({ source: new VectorSource<Feature<Polygon>>(), style: heatStyle, properties: { name: 'heat' } });
    const classes = new VectorLayer({ source: new VectorSource<Feature<Polygon>>(), style: classStyle, properties: { name: 'classes' } });
    for (const l of [basemap, sceneLayer, heat, classes, hits]) map.addLayer(l);
    const view = new View({ projection: viewProj, ...(spec.mode === 'pixel' ? { extent: spec.extent } : {}), constrainResolution: false, showFullExtent: true });
    map.setView(view);
    const fitExtent = spec.mode === 'geo' ? windowGeometry(placement, { x: 0, y: 0, width: info.width, height: info.height }, 8).getExtent() : spec.extent;
    view.fit(fitExtent, { padding: [24, 24, 24, 24] });
    layersRef.current = { placement, hits, heat, classes, basemap };
    installTestHooks(map, placement);
    return () => {
      for (const l of [basemap, sceneLayer, heat, classes, hits]) {
        map.removeLayer(l);
        l.dispose();
      }
      layersRef.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- a new scene or display setting rebuilds everything
  }, [map, props.info, props.spec, props.previews]);

  useEffect(() => {
    const layers = layersRef.current;
    if (!layers) return;
    layers.basemap.setVisible(props.basemap && layers.placement.spec.mode === 'geo');
  }, [props.basemap, props.info, props.spec, map]);

  // Hits: outlines coloured by score, rank labels.
  useEffect(() => {
    const layers = layersRef.current;
    if (!layers) return;
    const source = layers.hits.getSource()!;
    source.clear();
    const stats = props.scoreStats ?? { min: 0, max: 1 };
    source.addFeatures(
      props.hits.map((h) => {
        const f = new Feature<Polygon>({ geometry: hitGeometry(layers.placement, h) });
        f.setProperties({ tileIndex: h.tileIndex, rank: h.rank, color: scoreColor(h.score, stats) });
        return f;
      }),
    );
  }, [props.hits, props.scoreStats, props.info, props.spec, map]);

  useEffect(() => {
    layersRef.current?.hits.changed();
  }, [props.hoveredTile, props.selectedTile]);

  useEffect(() => {
    const layers = layersRef.current;
    if (!layers) return;
    const source = layers.heat.getSource()!;
    source.clear();
    if (props.heat && props.heat.length > 0) {
      let min = Infinity;
      let max = -Infinity;
      for (const h of props.heat) {
        min = Math.min(min, h.score);
        max = Math.max(max, h.score);
      }
      source.addFeatures(
        props.heat.map((h) => {
          const f = new Feature<Polygon>({ geometry: windowGeometry(layers.placement, h.window, 1) });
          f.set('color', scoreColor(h.score, { min, max }));
          return f;
        }),
      );
    }
  }, [props.heat, props.info, props.spec, map]);

  useEffect(() => {
    layersRef.current?.heat.setOpacity(props.heatOpacity);
  }, [props.heatOpacity, props.heat, map]);

  useEffect(() => {
    const layers = layersRef.current;
    if (!layers) return;
    const source = layers.classes.getSource()!;
    source.clear();
    if (props.classTiles) {
      source.addFeatures(
        props.classTiles.map((t) => {
          const f = new Feature<Polygon>({ geometry: windowGeometry(layers.placement, t.window, 1) });
          f.setProperties({ color: t.color, tileIndex: t.tileIndex });
          return f;
        }),
      );
    }
  }, [props.classTiles, props.info, props.spec, map]);

  useEffect(() => {
    layersRef.current?.classes.setOpacity(props.classOpacity);
  }, [props.classOpacity, props.classTiles, map]);

  useEffect(() => {
    const layers = layersRef.current;
    if (!map || !layers || !props.zoomTo) return;
    const f = layers.hits.getSource()!.getFeatures().find((x) => x.get('tileIndex') === props.zoomTo!.tileIndex);
    const geom = f?.getGeometry();
    if (geom) map.getView().fit(geom.getExtent(), { padding: [120, 160, 120, 160], minResolution: nativeResolution(layers.placement) / 2 });
  }, [props.zoomTo, map]);

  // Pointer: hover and click link the map with the hit list; a click elsewhere goes to the scene (labeling).
  useEffect(() => {
    if (!map) return;
    const hitAt = (pixel: number[]): number | null => {
      const layers = layersRef.current;
      if (!layers) return null;
      let found: number | null = null;
      map.forEachFeatureAtPixel(pixel, (f) => {
        found = f.get('tileIndex') as number;
        return true;
      }, { layerFilter: (l) => l === layers.hits, hitTolerance: 2 });
      return found;
    };
    const move = map.on('pointermove', (e) => {
      if (e.dragging) return;
      const t = hitAt(e.pixel);
      if (t !== propsRef.current.hoveredTile) propsRef.current.onHover(t);
      (map.getTargetElement() as HTMLElement).style.cursor = t === null ? '' : 'pointer';
    });
    const click = map.on('singleclick', (e) => {
      const t = hitAt(e.pixel);
      if (t !== null) {
        propsRef.current.onSelect(t);
        return;
      }
      const layers = layersRef.current;
      if (!layers || !propsRef.current.onScenePixelClick) return;
      const { placement } = layers;
      const c = placement.spec.mode === 'geo' ? transform(e.coordinate, placement.viewProjection, placement.sceneProjection) : e.coordinate;
      const [col, row] = gridToPixel(placement.info, placement.spec, c[0], c[1]);
      if (col >= 0 && row >= 0 && col < placement.info.width && row < placement.info.height) propsRef.current.onScenePixelClick(col, row);
    });
    const target = map.getTargetElement() as HTMLElement;
    const leave = () => {
      if (propsRef.current.hoveredTile !== null) propsRef.current.onHover(null);
    };
    target.addEventListener('pointerleave', leave);
    return () => {
      target.removeEventListener('pointerleave', leave);
      map.un('pointermove', move.listener);
      map.un('singleclick', click.listener);
    };
  }, [map]);

  return <div ref={targetRef} className={`map ${props.spec.mode}`} data-testid="map" tabIndex={-1} />;
}

/** About one full-resolution scene pixel in view units: zooming far past it only shows blur. */
function nativeResolution(p: Placement): number {
  if (p.spec.mode === 'pixel') return 1;
  const b = p.info.boundsWgs84;
  const lat = b ? (b[1] + b[3]) / 2 : 0;
  // Web Mercator stretches ground distances by 1 / cos(latitude).
  return (p.info.groundResolutionM ?? 1) / Math.cos((lat * Math.PI) / 180);
}

const styleCache = new Map<string, Style[]>();

function hitStyle(f: FeatureLike, p: MapViewProps): Style[] {
  const tileIndex = f.get('tileIndex') as number;
  const color = f.get('color') as Rgb;
  const rank = f.get('rank') as number;
  const state = tileIndex === p.selectedTile ? 'sel' : tileIndex === p.hoveredTile ? 'hov' : 'n';
  const key = `${color.join(',')}|${rank}|${state}`;
  let s = styleCache.get(key);
  if (!s) {
    const width = state === 'n' ? 3 : 4;
    // Halos under every outline; better ranks drawn last so a shared edge shows the better hit's colour.
    const z = state === 'n' ? 1000 - rank : 2000;
    s = [
      new Style({ zIndex: state === 'n' ? 0 : z - 1, stroke: state === 'n' ? HALO : new Stroke({ color: 'rgba(255,255,255,0.95)', width: width + 4 }), fill: new Fill({ color: state === 'n' ? 'rgba(0,0,0,0)' : rgbCss(color, 0.18) }) }),
      new Style({
        zIndex: z,
        stroke: new Stroke({ color: rgbCss(color), width }),
        text: new Text({ text: String(rank), font: '600 13px system-ui, sans-serif', fill: new Fill({ color: '#fff' }), stroke: new Stroke({ color: 'rgba(20,24,28,0.9)', width: 3 }), overflow: true }),
      }),
    ];
    if (styleCache.size > 2000) styleCache.clear();
    styleCache.set(key, s);
  }
  return s;
}

function heatStyle(f: FeatureLike): Style {
  return new Style({ fill: new Fill({ color: rgbCss(f.get('color') as Rgb) }) });
}

function classStyle(f: FeatureLike): Style {
  return new Style({ fill: new Fill({ color: rgbCss(f.get('color') as Rgb) }) });
}


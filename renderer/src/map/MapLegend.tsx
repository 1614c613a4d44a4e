// Layer switches over the map: hits, score heatmap with opacity, class overlay, basemap; and the score ramp.
import { rgbCss, SCORE_RAMP } from './score-color.js';

export interface MapLegendProps {
  hasResult: boolean;
  showHits: boolean;
  onShowHits(v: boolean): void;
  heatOn: boolean;
  onHeat(v: boolean): void;
  heatOpacity: number;
  onHeatOpacity(v: number): void;
  heatLoading: boolean;
  hasClasses: boolean;
  showClasses: boolean;
  onShowClasses(v: boolean): void;
  basemapAllowed: boolean;
  basemap: boolean;
  onBasemap(v: boolean): void;
}

export function MapLegend(p: MapLegendProps) {
  const gradient = `linear-gradient(to right, ${SCORE_RAMP.map(([t, c]) => `${rgbCss(c)} ${t * 100}%`).join(', ')})`;
  return (
    <div className="map-legend" aria-label="Layers">
      <label className="check">
        <input type="checkbox" checked={p.showHits} onChange={(e) => p.onShowHits(e.target.checked)} disabled={!p.hasResult} />
        <span>Hits</span>
      </label>
      <label className="check">
        <input type="checkbox" checked={p.heatOn} onChange={(e) => p.onHeat(e.target.checked)} disabled={!p.hasResult} data-testid="heatmap-toggle" />
        <span>Score heatmap{p.heatLoading ? ' …' : ''}</span>
      </label>
      {p.heatOn && (
        <input type="range" min={0} max={1} step={0.05} value={p.heatOpacity} onChange={(e) => p.onHeatOpacity(Number(e.target.value))} aria-label="Heatmap opacity" data-testid="heatmap-opacity" />
      )}
      {p.hasClasses && (
        <label className="check">
          <input type="checkbox" checked={p.showClasses} onChange={(e) => p.onShowClasses(e.target.checked)} />
          <span>Classes</span>
        </label>
      )}
      <label className={`check ${p.basemapAllowed ? '' : 'disabled'}`} title={p.basemapAllowed ? 'OpenStreetMap tiles from the internet' : 'Not available for scenes in pixel coordinates'}>
        <input type="checkbox" checked={p.basemap && p.basemapAllowed} disabled={!p.basemapAllowed} onChange={(e) => p.onBasemap(e.target.checked)} />
        <span>Basemap (online)</span>
      </label>
      {p.hasResult && (
        <div className="ramp">
          <div className="ramp-bar" style={{ background: gradient }} />
          <div className="ramp-labels">
            <span>lower score</span>
            <span>higher</span>
          </div>
        </div>
      )}
    </div>
  );
}

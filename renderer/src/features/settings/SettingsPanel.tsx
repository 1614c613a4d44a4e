// Settings: tile size, overlap, bands, score threshold, number of hits, model, basemap.
import type { ModelListing } from '../../../../shared/protocol/engine-api.js';
import type { Settings } from './settings.js';

export function SettingsPanel({ settings, onChange, models }: { settings: Settings; onChange(next: Settings): void; models: ModelListing[] | null }) {
  const field = (key: 'tile' | 'overlap' | 'bands' | 'minScore' | 'model' | 'labelThreshold', label: string, placeholder: string, hint: string) => (
    <label className="field">
      <span>{label}</span>
      <input value={settings[key]} placeholder={placeholder} onChange={(e) => onChange({ ...settings, [key]: e.target.value })} data-testid={`setting-${key}`} />
      <small>{hint}</small>
    </label>
  );
  return (
    <section className="panel" aria-label="Settings">
      <h2>Settings</h2>
      {field('tile', 'Tile size', "model's input size, at least 224 px", 'Pixels ("224px") or ground size ("150m"). Changing it re-indexes the scene.')}
      {field('overlap', 'Overlap', '0', 'Fraction, percent or pixels: "0.25", "25%", "32px".')}
      {field('bands', 'Bands', "model's mapping", 'Preset (rgb, landsat8, sentinel2) or 1-based list "4,3,2".')}
      {field('minScore', 'Score threshold', 'none', 'Hide hits scoring below this cosine similarity.')}
      <label className="field">
        <span>Hits shown</span>
        <input type="number" min={1} max={200} value={settings.top} onChange={(e) => onChange({ ...settings, top: Math.max(1, Math.min(200, Number(e.target.value) || 10)) })} />
      </label>
      {field('labelThreshold', 'Label threshold', 'engine default', 'Tiles whose best class is less likely than this stay "unknown".')}
      {models && models.length > 0 ? (
        <label className="field">
          <span>Model</span>
          <select value={settings.model} onChange={(e) => onChange({ ...settings, model: e.target.value })} data-testid="setting-model">
            {models.map((m) => (
              <option key={m.id} value={m.isDefault ? '' : m.id} title={`${m.name}: ${m.languages.join(', ')}; ${m.license}`}>
                {m.id}{m.isDefault ? ' (default)' : ''} · {m.languages.length} languages
              </option>
            ))}
          </select>
          <small>{(models.find((m) => (m.isDefault ? '' : m.id) === settings.model) ?? models[0]).languages.join(', ')}. The execution provider in use shows in the top bar after the first search.</small>
        </label>
      ) : (
        field('model', 'Model', 'bundled model', 'Model id or package folder.')
      )}
      <label className="check">
        <input type="checkbox" checked={settings.basemap} onChange={(e) => onChange({ ...settings, basemap: e.target.checked })} data-testid="setting-basemap" />
        <span>OpenStreetMap basemap (needs internet)</span>
      </label>
    </section>
  );
}

// Zero-shot labeling: a scheme or typed classes, the class overlay's legend and opacity, area per class, a clicked tile's top classes.
import { useState } from 'react';
import { rgbCss } from '../../map/score-color.js';
import { BUILTIN_SCHEMES, LABEL_LANGUAGES, type LabelView, type ViewTile } from './label-types.js';

export interface LabelChoice {
  scheme?: string;
  classes?: string;
  lang: string;
}

export interface LabelPanelProps {
  available: boolean;
  enabled: boolean;
  busy: boolean;
  result: LabelView | null;
  opacity: number;
  onOpacity(v: number): void;
  onRun(choice: LabelChoice): void;
  onCancel(): void;
  picked: ViewTile | null;
  progress: string | null;
  exportControl: React.ReactNode;
}

export function LabelPanel(p: LabelPanelProps) {
  const [mode, setMode] = useState<'scheme' | 'classes'>('scheme');
  const [scheme, setScheme] = useState(BUILTIN_SCHEMES[0].id);
  const [classes, setClasses] = useState('');
  const [lang, setLang] = useState('en');
  if (!p.available) {
    return (
      <section className="panel" aria-label="Labeling">
        <h2>Label the scene</h2>
        <p className="hint" data-testid="label-unavailable">This engine does not offer labeling. Update Geosift to label scenes by land-cover class.</p>
      </section>
    );
  }
  const r = p.result;
  const measured = !!r && r.legend.every((c) => c.areaKm2 !== null);
  return (
    <section className="panel" aria-label="Labeling">
      <h2>Label the scene</h2>
      <div className="segmented" role="radiogroup">
        <button className={mode === 'scheme' ? 'on' : ''} onClick={() => setMode('scheme')} role="radio" aria-checked={mode === 'scheme'}>Scheme</button>
        <button className={mode === 'classes' ? 'on' : ''} onClick={() => setMode('classes')} role="radio" aria-checked={mode === 'classes'} data-testid="label-mode-classes">Your classes</button>
      </div>
      <form
        className="label-form"
        onSubmit={(e) => {
          e.preventDefault();
          p.onRun(mode === 'scheme' ? { scheme, lang } : { classes, lang });
        }}
      >
        {mode === 'scheme' ? (
          <select value={scheme} onChange={(e) => setScheme(e.target.value)} aria-label="Scheme" data-testid="label-scheme">
            {BUILTIN_SCHEMES.map((s) => (
              <option key={s.id} value={s.id}>{s.name}</option>
            ))}
          </select>
        ) : (
          <input value={classes} onChange={(e) => setClasses(e.target.value)} placeholder="water, forest, buildings, farmland" aria-label="Classes" data-testid="label-classes" />
        )}
        <select className="lang" value={lang} onChange={(e) => setLang(e.target.value)} aria-label="Language of the class names" title="Language of the class names and prompts">
          {LABEL_LANGUAGES.map(([code, name]) => (
            <option key={code} value={code}>{name}</option>
          ))}
        </select>
        {p.busy ? (
          <button type="button" onClick={p.onCancel}>Cancel</button>
        ) : (
          <button type="submit" className="primary" disabled={!p.enabled || (mode === 'classes' && !classes.trim())} data-testid="label-run">Label</button>
        )}
      </form>
      {p.progress && <p className="hint">{p.progress}</p>}
      {r && (
        <>
          <label className="field inline">
            <span>Overlay opacity</span>
            <input type="range" min={0} max={1} step={0.05} value={p.opacity} onChange={(e) => p.onOpacity(Number(e.target.value))} data-testid="label-opacity" />
          </label>
          <h3>
            {r.schemeName} · {measured ? 'area per class (km²)' : 'tiles per class'}
          </h3>
          <ul className="legend" data-testid="legend">
            {r.legend.map((c) => (
              <li key={c.id} data-class-id={c.id} title={c.meanProbability !== null ? `mean probability ${(c.meanProbability * 100).toFixed(0)}%` : undefined}>
                <span className="swatch" style={{ background: rgbCss(c.color) }} />
                <span className="legend-name">{c.name}</span>
                <span className="bar"><span style={{ width: `${c.fraction * 100}%`, background: rgbCss(c.color) }} /></span>
                <span className="legend-value">{measured ? (c.areaKm2 as number).toFixed(3) : c.tiles}</span>
              </li>
            ))}
          </ul>
          {r.notes.map((n) => (
            <p key={n} className="hint">{n}</p>
          ))}
          <p className="hint">Click the map to see a tile's most likely classes.</p>
          {p.picked && (
            <div className="picked" data-testid="picked-tile">
              <h3>Tile {p.picked.tileIndex}: {p.picked.classId ? r.names.get(p.picked.classId) ?? p.picked.classId : 'unknown (below the threshold)'}</h3>
              <ol>
                {p.picked.top.map((t) => (
                  <li key={t.classId}>
                    <span className="swatch" style={{ background: r.colors.has(t.classId) ? rgbCss(r.colors.get(t.classId)!) : '#9aa0a6' }} />
                    {r.names.get(t.classId) ?? t.classId} <span className="muted">{(t.prob * 100).toFixed(1)}%</span>
                  </li>
                ))}
              </ol>
            </div>
          )}
          {p.exportControl}
        </>
      )}
    </section>
  );
}

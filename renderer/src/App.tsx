// The Geosift window: scene, indexing, search, labeling and export around one map; the same in Electron and in a browser.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ExportFormatId, ModelListing, SearchResult } from '../../shared/protocol/engine-api.js';
import { EngineError, ErrorCodes, isCanceled } from '../../shared/protocol/errors.js';
import type { GeosiftBridge } from './engine-client/bridge.js';
import { useEngineConnection } from './engine-client/use-engine-connection.js';
import { ErrorBanner } from './features/errors/ErrorBanner.js';
import { plainError, type PlainError } from './features/errors/plain-error.js';
import { ExportControl } from './features/export/ExportControl.js';
import { fileSlug, saveExport } from './features/export/save-text.js';
import { createEtaTracker } from './features/indexing/eta.js';
import { IndexingBar, type IndexingState } from './features/indexing/IndexingBar.js';
import { LabelPanel, type LabelChoice } from './features/labeling/LabelPanel.js';
import { tileAtPixel, toLabelView, type LabelView, type ViewTile } from './features/labeling/label-types.js';
import { ModelInfo } from './features/model/ModelInfo.js';
import { addRecent, readRecent, sceneName } from './features/scenes/recent-scenes.js';
import { SceneInfoPanel } from './features/scenes/SceneInfoPanel.js';
import { ScenePanel } from './features/scenes/ScenePanel.js';
import { useAllowedScenes } from './features/scenes/use-allowed-scenes.js';
import { createLatestRequest } from './features/search/latest-request.js';
import { SearchPanel } from './features/search/SearchPanel.js';
import { engineParams, loadSettings, parseOptionalNumber, saveSettings, type Settings } from './features/settings/settings.js';
import { SettingsPanel } from './features/settings/SettingsPanel.js';
import { MapLegend } from './map/MapLegend.js';
import { MapView, type ClassTile, type MapHit } from './map/MapView.js';
import { createPreviewSource } from './map/preview-cache.js';
import { sceneProjection } from './map/scene-layer.js';
import { exposeForTests } from './map/test-hooks.js';
import { geoPlacementProblem, sceneGridSpec, type SceneGridSpec } from './map/tile-grid.js';
import type { SceneInfo } from '../../shared/protocol/scene.js';

type Tab = 'search' | 'label' | 'scene' | 'settings';
type QuerySpec = { kind: 'text'; text: string } | { kind: 'similar'; tileIndex: number };

interface OpenScene {
  info: SceneInfo;
  spec: SceneGridSpec;
  warning: string | null;
}

const storage: Storage | { getItem(): null; setItem(): void } = typeof localStorage !== 'undefined' ? localStorage : { getItem: () => null, setItem: () => undefined };

/** In Electron a typed location reaches the engine only through main's grant (URLs); local files come from the dialog or a drop. */
async function grantTyped(bridge: GeosiftBridge | null, typed: string): Promise<string | null> {
  if (!bridge) return typed;
  if (/^https?:\/\//i.test(typed)) return bridge.openUrl(typed);
  throw new EngineError(ErrorCodes.BAD_ARGUMENT, `To open ${typed}, use Browse… or drop the file on the window; the desktop app opens local files only from there.`);
}

export function App() {
  const connection = useEngineConnection();
  const engine = connection.state.engine;
  const bridge = connection.bridge;
  const [settings, setSettingsState] = useState<Settings>(() => loadSettings(storage));
  const setSettings = (s: Settings) => {
    setSettingsState(s);
    saveSettings(storage, s);
  };
  const [recent, setRecent] = useState(() => readRecent(storage));
  // In Electron main keeps the recent list (its entries stay granted); the page's own list is for the browser.
  const refreshRecent = useCallback(() => {
    void bridge?.recentScenes().then(setRecent, () => undefined);
  }, [bridge]);
  useEffect(refreshRecent, [refreshRecent]);
  const allowed = useAllowedScenes(connection.state.engine, connection.kind === 'serve');
  const [models, setModels] = useState<ModelListing[] | null>(null);
  useEffect(() => {
    let live = true;
    if (engine && 'listModels' in engine) engine.listModels().then((m) => live && setModels(m), () => live && setModels(null));
    return () => {
      live = false;
    };
  }, [engine]);
  const [tab, setTab] = useState<Tab>('search');
  const [scene, setScene] = useState<OpenScene | null>(null);
  const [opening, setOpening] = useState(false);
  const sceneOpens = useRef(0);
  const [error, setError] = useState<PlainError | null>(null);
  const [dismissedConnMessage, setDismissedConnMessage] = useState<string | null>(null);

  const [indexing, setIndexing] = useState<IndexingState>({ status: 'idle' });
  const indexCtl = useRef<AbortController | null>(null);

  const searchReq = useRef(createLatestRequest());
  const heatReq = useRef(createLatestRequest());
  const labelReq = useRef(createLatestRequest());
  const searchInput = useRef<HTMLInputElement | null>(null);
  const [query, setQuery] = useState('');
  const [lastQuery, setLastQuery] = useState<QuerySpec | null>(null);
  const [result, setResult] = useState<SearchResult | null>(null);
  const [searching, setSearching] = useState(false);
  const [relevant, setRelevant] = useState<Set<number>>(new Set());
  const [notRelevant, setNotRelevant] = useState<Set<number>>(new Set());
  const [hovered, setHovered] = useState<number | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [zoomTo, setZoomTo] = useState<{ tileIndex: number; nonce: number } | null>(null);
  const [showHits, setShowHits] = useState(true);
  const [heatOn, setHeatOn] = useState(false);
  const [heat, setHeat] = useState<MapHit[] | null>(null);
  const [heatOpacity, setHeatOpacity] = useState(0.55);

  const [label, setLabel] = useState<LabelView | null>(null);
  const [labelBusy, setLabelBusy] = useState(false);
  const [labelProgress, setLabelProgress] = useState<string | null>(null);
  const [labelOpacity, setLabelOpacity] = useState(0.55);
  const [showClasses, setShowClasses] = useState(true);
  const [picked, setPicked] = useState<ViewTile | null>(null);

  const bands = settings.bands.trim() || undefined;
  const previews = useMemo(() => (engine && scene ? createPreviewSource(engine, scene.info.source, bands) : null), [engine, scene, bands]);
  const fail = useCallback((e: unknown) => {
    const p = plainError(e);
    if (p) setError(p);
  }, []);

  // ---- indexing -------------------------------------------------------------------------------
  const startIndexing = useCallback(
    (source: string) => {
      if (!engine) return;
      indexCtl.current?.abort();
      const ctl = new AbortController();
      indexCtl.current = ctl;
      const eta = createEtaTracker();
      let last = { done: 0, total: 0 };
      setIndexing({ status: 'running', done: 0, total: 0, etaMs: null, stage: '' });
      engine
        .index({ scene: source, ...engineParams(settings) }, {
          signal: ctl.signal,
          onProgress: (ev) => {
            if (indexCtl.current !== ctl) return;
            // Only the embedding stage counts tiles; earlier stages (reading, stretch) are shown by name.
            if (ev.unit !== 'tiles') {
              setIndexing({ status: 'running', done: 0, total: 0, etaMs: null, stage: ev.stage });
              return;
            }
            last = { done: ev.done, total: ev.total };
            setIndexing({ status: 'running', done: ev.done, total: ev.total, etaMs: eta.update(ev.done, ev.total, performance.now()), stage: ev.stage });
          },
        })
        .then((r) => {
          if (indexCtl.current !== ctl) return;
          indexCtl.current = null;
          setIndexing({ status: 'done', tiles: r.tilesTotal - r.tilesSkipped, skipped: r.tilesSkipped, alreadyIndexed: r.alreadyIndexed, elapsedMs: r.elapsedMs });
        })
        .catch((e: unknown) => {
          if (indexCtl.current !== ctl) return;
          indexCtl.current = null;
          if (isCanceled(e)) setIndexing({ status: 'canceled', ...last });
          else {
            setIndexing({ status: 'failed', message: e instanceof Error ? e.message : String(e) });
            fail(e);
          }
        });
    },
    [engine, settings, fail],
  );

  const resetResults = () => {
    searchReq.current.cancel();
    heatReq.current.cancel();
    labelReq.current.cancel();
    setResult(null);
    setHeat(null);
    setLabel(null);
    setPicked(null);
    setSelected(null);
    setHovered(null);
    setRelevant(new Set());
    setNotRelevant(new Set());
    setSearching(false);
    setLabelBusy(false);
    exposeForTests('lastResult', null);
    exposeForTests('lastLabel', null);
  };

  // ---- scenes ---------------------------------------------------------------------------------
  const openScene = useCallback(
    async (requested: string, origin: 'typed' | 'granted' = 'granted') => {
      if (!engine) return;
      setOpening(true);
      setError(null);
      try {
        const source = origin === 'typed' ? await grantTyped(bridge, requested) : requested;
        if (source === null) return;
        const info = await engine.info(source);
        let warning = geoPlacementProblem(info);
        let spec = sceneGridSpec(info, 256);
        if (spec.mode === 'geo') {
          try {
            sceneProjection(info, spec);
          } catch {
            warning = `The scene's CRS (${info.crs?.name}) cannot be used for display: it is shown in pixel coordinates.`;
            spec = sceneGridSpec(info, 256, 'pixel');
          }
        }
        indexCtl.current?.abort();
        indexCtl.current = null;
        resetResults();
        setScene({ info, spec, warning });
        if (bridge) refreshRecent();
        else setRecent(addRecent(storage, info.source));
        sceneOpens.current += 1;
        exposeForTests('scene', { source: info.source, mode: spec.mode, opens: sceneOpens.current });
        startIndexing(info.source);
      } catch (e) {
        fail(e);
      } finally {
        setOpening(false);
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [engine, bridge, startIndexing, fail, refreshRecent],
  );

  useEffect(() => bridge?.onOpenScene((p) => void openScene(p)), [bridge, openScene]);

  // A new engine (restart, reconnect) lost every running task.
  const prevEngine = useRef(engine);
  useEffect(() => {
    if (prevEngine.current && engine !== prevEngine.current && indexCtl.current) {
      indexCtl.current = null;
      setIndexing({ status: 'failed', message: 'The engine restarted while indexing.' });
    }
    prevEngine.current = engine;
  }, [engine]);

  // ---- search ---------------------------------------------------------------------------------
  const runSearch = useCallback(
    async (q: QuerySpec, rel: ReadonlySet<number>, notRel: ReadonlySet<number>, previous: SearchResult | null) => {
      if (!engine || !scene) return;
      setSearching(true);
      setLastQuery(q);
      const base = { scene: scene.info.source, ...engineParams(settings), top: settings.top, minScore: parseOptionalNumber(settings.minScore) };
      const feedback = rel.size + notRel.size > 0;
      const out = await searchReq.current.run((signal) => {
        if (q.kind === 'text') return engine.search({ ...base, query: q.text, relevant: [...rel], notRelevant: [...notRel] }, { signal });
        // "More like this" refined by feedback: the similar query's vector re-ranked (search accepts a vector instead of text).
        if (feedback && previous) return engine.search({ ...base, query: '', queryVector: previous.queryVector, relevant: [...rel], notRelevant: [...notRel] }, { signal }).then((r) => ({ ...r, query: { tileIndex: q.tileIndex } }));
        return engine.similar({ ...base, tileIndex: q.tileIndex }, { signal });
      }, isCanceled);
      if (out.status === 'stale') return;
      setSearching(false);
      if (out.status === 'done') {
        setResult(out.value);
        setHeat(null);
        setSelected(null);
        exposeForTests('lastResult', out.value);
      } else if (out.status === 'failed') fail(out.error);
    },
    [engine, scene, settings, fail],
  );

  const submitQuery = () => {
    const text = query.trim();
    if (!text) return;
    setRelevant(new Set());
    setNotRelevant(new Set());
    void runSearch({ kind: 'text', text }, new Set(), new Set(), null);
  };

  const moreLikeThis = (tileIndex: number) => {
    setRelevant(new Set());
    setNotRelevant(new Set());
    setQuery('');
    void runSearch({ kind: 'similar', tileIndex }, new Set(), new Set(), null);
  };

  const feedback = (tileIndex: number, verdict: 'up' | 'down') => {
    if (!lastQuery) return;
    const rel = new Set(relevant);
    const notRel = new Set(notRelevant);
    const [mine, other] = verdict === 'up' ? [rel, notRel] : [notRel, rel];
    if (mine.has(tileIndex)) mine.delete(tileIndex);
    else {
      mine.add(tileIndex);
      other.delete(tileIndex);
    }
    setRelevant(rel);
    setNotRelevant(notRel);
    void runSearch(lastQuery, rel, notRel, result);
  };

  // Heatmap: every tile's score for the query actually used (feedback included), no suppression.
  useEffect(() => {
    if (!heatOn || !result || !engine || !scene) {
      heatReq.current.cancel();
      return;
    }
    void heatReq.current
      .run((signal) => engine.search({ scene: scene.info.source, ...engineParams(settings), query: '', queryVector: result.queryVector, top: Math.max(1, result.tiling.tilesTotal), suppressIoU: 1 }, { signal }), isCanceled)
      .then((out) => {
        if (out.status === 'done') {
          setHeat(out.value.hits);
          exposeForTests('heatTiles', out.value.hits.length);
        }
        else if (out.status === 'failed') fail(out.error);
      });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [heatOn, result, engine]);

  // ---- labeling -------------------------------------------------------------------------------
  const canLabel = !!engine && 'label' in engine;
  const runLabel = async (choice: LabelChoice) => {
    if (!engine || !scene) return;
    setLabelBusy(true);
    setPicked(null);
    const out = await labelReq.current.run(
      (signal) =>
        engine.label(
          { scene: scene.info.source, ...engineParams(settings), ...choice, minProbability: parseOptionalNumber(settings.labelThreshold) },
          { signal, onProgress: (ev) => setLabelProgress(ev.unit === 'tiles' && ev.total > 0 ? `Embedding ${ev.done} / ${ev.total} tiles…` : 'Labeling…') },
        ),
      isCanceled,
    );
    if (out.status === 'stale') return;
    setLabelBusy(false);
    setLabelProgress(null);
    if (out.status === 'done') {
      const v = toLabelView(out.value);
      setLabel(v);
      setShowClasses(true);
      exposeForTests('lastLabel', out.value);
    } else if (out.status === 'failed') fail(out.error);
  };

  const classTiles = useMemo<ClassTile[] | null>(() => {
    if (!label || !showClasses) return null;
    return label.tiles.flatMap((t) => (t.classId ? [{ tileIndex: t.tileIndex, window: t.window, color: label.colors.get(t.classId)! }] : []));
  }, [label, showClasses]);

  // ---- export ---------------------------------------------------------------------------------
  const exportHits = async (format: ExportFormatId) => {
    if (!engine || !result) return;
    try {
      const file = await engine.exportHits(result, { format });
      await saveExport(bridge, `geosift-${fileSlug(result.query.text ?? (result.query.tileIndex !== undefined ? `like-tile-${result.query.tileIndex}` : 'hits'))}`, file);
    } catch (e) {
      fail(e);
    }
  };
  const exportLabels = async (format: ExportFormatId) => {
    if (!engine || !label || !scene) return;
    try {
      const file = await engine.exportLabels(label.labelId, { format, ...(format === 'geojson' || format === 'fgb' ? { dissolve: true } : {}) });
      await saveExport(bridge, `geosift-labels-${fileSlug(sceneName(scene.info.source).replace(/\.[^.]+$/, ''))}`, file);
    } catch (e) {
      fail(e);
    }
  };
  const exportRef = useRef<() => void>(() => undefined);
  exportRef.current = () => {
    if (result) void exportHits('geojson');
    else if (label) void exportLabels('geojson');
  };
  useEffect(() => bridge?.onMenuCommand((c) => c === 'export' && exportRef.current()), [bridge]);

  // ---- keyboard -------------------------------------------------------------------------------
  const hitsRef = useRef<SearchResult['hits']>([]);
  hitsRef.current = result?.hits ?? [];
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      const typing = !!t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
      if (e.key === '/' && !typing) {
        e.preventDefault();
        setTab('search');
        searchInput.current?.focus();
        return;
      }
      const hits = hitsRef.current;
      const inSearch = t === searchInput.current;
      if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && hits.length > 0 && (!typing || inSearch)) {
        e.preventDefault();
        const i = hits.findIndex((h) => h.tileIndex === selectedRef.current);
        const next = e.key === 'ArrowDown' ? Math.min(hits.length - 1, i + 1) : Math.max(0, i < 0 ? 0 : i - 1);
        setSelected(hits[next].tileIndex);
        return;
      }
      if (e.key === 'Enter' && !typing && selectedRef.current !== null) {
        e.preventDefault();
        setZoomTo({ tileIndex: selectedRef.current, nonce: Date.now() });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // ---- drag and drop (Electron gives the dropped file's path; a browser page cannot) ----------
  const [dropHint, setDropHint] = useState<string | null>(null);
  const onDrop = (e: React.DragEvent) => {
    e.preventDefault();
    const file = e.dataTransfer.files[0];
    if (!file) return;
    if (bridge) {
      bridge.pathForFile(file).then((granted) => void openScene(granted), fail);
      return;
    }
    setDropHint('Dropping files works in the desktop app. Here, type the path or pick a scene from the server’s list.');
  };

  const conn = connection.state;
  const connMessage = conn.message && conn.message !== dismissedConnMessage ? conn.message : null;
  const searchEnabled = !!engine && !!scene && !opening && indexing.status !== 'running';
  const disabledReason = !engine ? 'Waiting for the engine…' : !scene ? 'Open a scene to search it.' : indexing.status === 'running' ? 'Search is available as soon as indexing finishes.' : null;

  return (
    <div className="app" onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
      <header className="topbar">
        <div className="brand">Geosift</div>
        <div className="scene-title" title={scene?.info.source}>{scene ? sceneName(scene.info.source) : 'No scene open'}</div>
        <div className="spacer" />
        <ModelInfo model={result?.model ?? null} requested={settings.model} />
        <span className={`chip conn ${conn.status}`} data-testid="connection" data-status={conn.status}>
          {conn.status === 'ready' ? (connection.kind === 'electron' ? 'Engine ready' : 'Engine connected') : conn.status === 'connecting' ? 'Connecting…' : 'Engine offline'}
        </span>
      </header>
      {(connMessage || error || dropHint) && (
        <div className="banners">
          {connMessage && (
            <div className={`notice ${conn.status === 'lost' ? 'bad' : ''}`} role="status" data-testid="connection-message">
              {connMessage}
              {conn.status === 'ready' && <button className="icon" onClick={() => setDismissedConnMessage(connMessage)} aria-label="Dismiss">×</button>}
            </div>
          )}
          {error && <ErrorBanner error={error} onDismiss={() => setError(null)} />}
          {dropHint && (
            <div className="notice" role="status">
              {dropHint} <button className="icon" onClick={() => setDropHint(null)} aria-label="Dismiss">×</button>
            </div>
          )}
        </div>
      )}
      <div className="body">
        <aside className="sidebar">
          <ScenePanel current={scene?.info.source ?? null} opening={opening} recent={recent} allowed={allowed} bridge={bridge} onOpen={(s, how) => void openScene(s, how)} />
          <IndexingBar state={indexing} onCancel={() => indexCtl.current?.abort()} onRestart={() => scene && startIndexing(scene.info.source)} />
          <nav className="tabs" role="tablist">
            {(['search', 'label', 'scene', 'settings'] as const).map((t) => (
              <button key={t} role="tab" aria-selected={tab === t} className={tab === t ? 'on' : ''} onClick={() => setTab(t)} data-testid={`tab-${t}`}>
                {t === 'search' ? 'Search' : t === 'label' ? 'Label' : t === 'scene' ? 'Scene' : 'Settings'}
              </button>
            ))}
          </nav>
          <div className="tab-body">
            {tab === 'search' && (
              <>
                <SearchPanel
                  inputRef={searchInput}
                  query={query}
                  onQueryChange={setQuery}
                  onSubmit={submitQuery}
                  enabled={searchEnabled}
                  disabledReason={disabledReason}
                  busy={searching}
                  result={result}
                  info={scene?.info ?? null}
                  previews={previews}
                  hovered={hovered}
                  selected={selected}
                  relevant={relevant}
                  notRelevant={notRelevant}
                  onHover={setHovered}
                  onSelect={setSelected}
                  onZoom={(ti) => {
                    setSelected(ti);
                    setZoomTo({ tileIndex: ti, nonce: Date.now() });
                  }}
                  onMoreLikeThis={moreLikeThis}
                  onFeedback={feedback}
                  onClearFeedback={() => {
                    setRelevant(new Set());
                    setNotRelevant(new Set());
                    if (lastQuery) void runSearch(lastQuery, new Set(), new Set(), null);
                  }}
                />
                {result && result.hits.length > 0 && <ExportControl what="hits" formats={bridge ? ['geojson', 'csv'] : ['geojson', 'fgb', 'csv']} onExport={exportHits} testId="export-hits" />}
              </>
            )}
            {tab === 'label' && (
              <LabelPanel
                available={canLabel}
                exportControl={<ExportControl what="labels" formats={bridge ? ['geojson', 'csv'] : ['geojson', 'fgb', 'csv', 'cog']} onExport={exportLabels} testId="export-labels" />}
                enabled={!!scene && indexing.status !== 'running'}
                busy={labelBusy}
                result={label}
                opacity={labelOpacity}
                onOpacity={setLabelOpacity}
                onRun={(c) => void runLabel(c)}
                onCancel={() => labelReq.current.cancel()}
                picked={picked}
                progress={labelProgress}
              />
            )}
            {tab === 'scene' && (scene ? <SceneInfoPanel info={scene.info} placementWarning={scene.warning} /> : <p className="hint panel">No scene open.</p>)}
            {tab === 'settings' && <SettingsPanel settings={settings} onChange={setSettings} models={models} />}
          </div>
        </aside>
        <main className="map-area">
          {scene && previews ? (
            <>
              <MapView
                previews={previews}
                info={scene.info}
                spec={scene.spec}
                hits={showHits && result ? result.hits : []}
                scoreStats={result?.scoreStats ?? null}
                hoveredTile={hovered}
                selectedTile={selected}
                onHover={setHovered}
                onSelect={(ti) => {
                  setSelected(ti);
                  setTab('search');
                }}
                heat={heatOn ? heat : null}
                heatOpacity={heatOpacity}
                classTiles={classTiles}
                classOpacity={labelOpacity}
                onScenePixelClick={(col, row) => {
                  if (!label) return;
                  setPicked(tileAtPixel(label.tiles, col, row));
                  setTab('label');
                }}
                basemap={settings.basemap}
                zoomTo={zoomTo}
                onTileError={() => undefined}
              />
              {scene.warning && <div className="map-warning" data-testid="pixel-warning">{scene.warning}</div>}
              <MapLegend
                hasResult={!!result}
                showHits={showHits}
                onShowHits={setShowHits}
                heatOn={heatOn}
                onHeat={setHeatOn}
                heatOpacity={heatOpacity}
                onHeatOpacity={setHeatOpacity}
                heatLoading={heatOn && !!result && !heat}
                hasClasses={!!label}
                showClasses={showClasses}
                onShowClasses={setShowClasses}
                basemapAllowed={scene.spec.mode === 'geo'}
                basemap={settings.basemap}
                onBasemap={(b) => setSettings({ ...settings, basemap: b })}
              />
            </>
          ) : (
            <div className="empty-map">
              <h1>Open a scene to begin</h1>
              <p>Type a GeoTIFF path or a COG URL on the left{allowed?.length ? ', or pick one of the scenes this server offers' : ''}. Indexing starts right away; search in any language when it finishes.</p>
            </div>
          )}
        </main>
      </div>
    </div>
  );
}

// The search box (any of the model's languages), the calibration verdict and the hit list.
import type { RefObject } from 'react';
import type { SearchResult } from '../../../../shared/protocol/engine-api.js';
import type { SceneInfo } from '../../../../shared/protocol/scene.js';
import type { PreviewSource } from '../../map/preview-cache.js';
import { HitList, type HitListProps } from './HitList.js';

export interface SearchPanelProps extends Omit<HitListProps, 'hits' | 'stats' | 'info' | 'previews'> {
  inputRef: RefObject<HTMLInputElement | null>;
  query: string;
  onQueryChange(q: string): void;
  onSubmit(): void;
  enabled: boolean;
  disabledReason: string | null;
  busy: boolean;
  result: SearchResult | null;
  info: SceneInfo | null;
  previews: PreviewSource | null;
  onClearFeedback(): void;
}

export function SearchPanel(p: SearchPanelProps) {
  const r = p.result;
  const feedbackCount = p.relevant.size + p.notRelevant.size;
  return (
    <section className="panel search" aria-label="Search">
      <form
        className="search-form"
        onSubmit={(e) => {
          e.preventDefault();
          p.onSubmit();
        }}
      >
        <input
          ref={p.inputRef}
          className="search-input"
          data-testid="search-input"
          placeholder="Describe what to find, in any language  ( / )"
          value={p.query}
          onChange={(e) => p.onQueryChange(e.target.value)}
          disabled={!p.enabled}
          aria-label="Search query"
        />
        <button type="submit" className="primary" disabled={!p.enabled || !p.query.trim()} data-testid="search-button">
          {p.busy ? 'Searching…' : 'Search'}
        </button>
      </form>
      {!p.enabled && p.disabledReason && <p className="hint">{p.disabledReason}</p>}
      {r && (
        <div className="result-head" data-testid="result-head">
          <div>
            {r.query.text !== undefined ? <>“{r.query.text}”</> : r.query.tileIndex !== undefined ? <>Like tile {r.query.tileIndex}</> : <>By example</>} · {r.hits.length} hits ·{' '}
            {r.tiling.tilesEmbedded} tiles · {Math.round(r.elapsedMs)} ms
          </div>
          {feedbackCount > 0 && (
            <div className="feedback-note">
              Re-ranked with {p.relevant.size} relevant, {p.notRelevant.size} not relevant.{' '}
              <button className="link" onClick={p.onClearFeedback}>Clear</button>
            </div>
          )}
          <div className={`calibration ${r.calibration.verdict}`} data-testid="calibration" data-verdict={r.calibration.verdict}>
            {r.calibration.verdict === 'confident' ? 'Strong matches. ' : r.calibration.verdict === 'weak' ? 'Weak matches. ' : 'Nothing matches confidently. '}
            {r.calibration.message}
          </div>
        </div>
      )}
      {r && p.info && p.previews && (
        <HitList {...p} hits={r.hits} stats={r.scoreStats} info={p.info} previews={p.previews} />
      )}
    </section>
  );
}

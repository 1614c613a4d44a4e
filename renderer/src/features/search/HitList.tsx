// The ranked hits: thumbnail, score, "more like this", thumbs up/down; hover and selection linked with the map.
import type { Hit } from '../../../../shared/protocol/engine-api.js';
import type { SceneInfo } from '../../../../shared/protocol/scene.js';
import type { PreviewSource } from '../../map/preview-cache.js';
import { rgbCss, scoreColor } from '../../map/score-color.js';
import { HitThumb } from './HitThumb.js';

export interface HitListProps {
  hits: Hit[];
  stats: { min: number; max: number };
  info: SceneInfo;
  previews: PreviewSource;
  hovered: number | null;
  selected: number | null;
  relevant: ReadonlySet<number>;
  notRelevant: ReadonlySet<number>;
  onHover(tileIndex: number | null): void;
  onSelect(tileIndex: number): void;
  onZoom(tileIndex: number): void;
  onMoreLikeThis(tileIndex: number): void;
  onFeedback(tileIndex: number, verdict: 'up' | 'down'): void;
}

export function HitList(p: HitListProps) {
  return (
    <ol className="hit-list" data-testid="hit-list" onMouseLeave={() => p.onHover(null)}>
      {p.hits.map((h) => {
        const color = scoreColor(h.score, p.stats);
        const cls = ['hit', h.tileIndex === p.selected ? 'selected' : '', h.tileIndex === p.hovered ? 'hovered' : ''].join(' ');
        return (
          <li
            key={h.tileIndex}
            className={cls}
            data-testid="hit"
            data-tile-index={h.tileIndex}
            onMouseEnter={() => p.onHover(h.tileIndex)}
            onClick={() => p.onSelect(h.tileIndex)}
            onDoubleClick={() => p.onZoom(h.tileIndex)}
            ref={(el) => {
              if (el && h.tileIndex === p.selected) el.scrollIntoView({ block: 'nearest' });
            }}
          >
            <span className="rank" style={{ borderColor: rgbCss(color) }}>{h.rank}</span>
            <HitThumb previews={p.previews} info={p.info} window={h.window} />
            <div className="hit-body">
              <div className="hit-score">
                <span className="swatch" style={{ background: rgbCss(color) }} />
                <span data-testid="hit-score">{h.score.toFixed(3)}</span>
              </div>
              <div className="hit-meta">
                tile {h.tileIndex} · row {h.row}, col {h.col}
              </div>
              <div className="hit-actions" onClick={(e) => e.stopPropagation()}>
                <button className="small" onClick={() => p.onZoom(h.tileIndex)} title="Zoom to this hit (Enter)">Zoom</button>
                <button className="small" onClick={() => p.onMoreLikeThis(h.tileIndex)} data-testid="more-like-this" title="Search for tiles that look like this one">More like this</button>
                <button className={`small icon ${p.relevant.has(h.tileIndex) ? 'on' : ''}`} onClick={() => p.onFeedback(h.tileIndex, 'up')} aria-label="Relevant" title="Relevant: rank similar tiles higher">▲</button>
                <button className={`small icon ${p.notRelevant.has(h.tileIndex) ? 'on' : ''}`} onClick={() => p.onFeedback(h.tileIndex, 'down')} aria-label="Not relevant" title="Not relevant: rank similar tiles lower">▼</button>
              </div>
            </div>
          </li>
        );
      })}
    </ol>
  );
}

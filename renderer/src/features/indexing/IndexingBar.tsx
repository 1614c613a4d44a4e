// Indexing progress with ETA and Cancel; done, canceled and failed are told apart.
import { formatDuration } from './eta.js';

export type IndexingState =
  | { status: 'idle' }
  | { status: 'running'; done: number; total: number; etaMs: number | null; stage: string }
  | { status: 'done'; tiles: number; skipped: number; alreadyIndexed: boolean; elapsedMs: number }
  | { status: 'canceled'; done: number; total: number }
  | { status: 'failed'; message: string };

function stageText(stage: string): string {
  if (stage === 'stretch') return 'Reading the scene to set its contrast stretch…';
  if (stage === 'embed') return 'Indexing tiles…';
  return 'Preparing to index…';
}

export function IndexingBar({ state, onCancel, onRestart }: { state: IndexingState; onCancel(): void; onRestart(): void }) {
  if (state.status === 'idle') return null;
  if (state.status === 'running') {
    const pct = state.total > 0 ? (100 * state.done) / state.total : 0;
    return (
      <div className="indexing" data-testid="indexing" data-status="running">
        <div className="indexing-row">
          <span>
            {state.total > 0 ? `Indexing ${state.done} / ${state.total} tiles` : stageText(state.stage)}
            {state.etaMs !== null && <> · about {formatDuration(state.etaMs)} left</>}
          </span>
          <button className="small" onClick={onCancel} data-testid="cancel-indexing">Cancel</button>
        </div>
        <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(pct)}>
          <div style={{ width: `${pct}%` }} />
        </div>
      </div>
    );
  }
  if (state.status === 'done') {
    return (
      <div className="indexing done" data-testid="indexing" data-status="done">
        {state.alreadyIndexed ? `Indexed earlier: ${state.tiles} tiles ready.` : `Indexed ${state.tiles} tiles in ${formatDuration(state.elapsedMs) || '<1 s'}.`}
        {state.skipped > 0 && ` ${state.skipped} tiles without data skipped.`}
      </div>
    );
  }
  if (state.status === 'canceled') {
    return (
      <div className="indexing canceled" data-testid="indexing" data-status="canceled">
        Indexing canceled{state.total > 0 ? ` at ${state.done} / ${state.total} tiles` : ''}. Search still works: missing tiles are computed when you search.{' '}
        <button className="link" onClick={onRestart}>Resume indexing</button>
      </div>
    );
  }
  return (
    <div className="indexing failed" data-testid="indexing" data-status="failed">
      Indexing failed: {state.message} <button className="link" onClick={onRestart}>Try again</button>
    </div>
  );
}

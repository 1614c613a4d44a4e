// Pure: remaining time from progress samples (rate since the first sample that did any work).

export interface EtaTracker {
  update(done: number, total: number, nowMs: number): number | null;
}

export function createEtaTracker(): EtaTracker {
  let first: { done: number; at: number } | null = null;
  return {
    update(done, total, nowMs) {
      if (total <= 0) return null;
      if (!first) {
        first = { done, at: nowMs };
        return null;
      }
      const rate = (done - first.done) / Math.max(1, nowMs - first.at);
      if (!(rate > 0)) return null;
      return Math.max(0, (total - done) / rate);
    },
  };
}

export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

// A one-line terminal progress bar with rate and ETA; silent when the stream is not a terminal.
import type { ProgressEvent } from '../../shared/protocol/progress.js';

export interface ProgressStream {
  write(s: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = String(m).padStart(2, '0'), ss = String(r).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export class ProgressBar {
  private startedAt = 0;
  private stage = '';
  private lastDraw = 0;
  private drawn = false;

  constructor(private readonly out: ProgressStream, private readonly enabled: boolean, private readonly now: () => number = Date.now) {}

  update(e: ProgressEvent): void {
    if (!this.enabled) return;
    const t = this.now();
    if (e.stage !== this.stage) {
      this.stage = e.stage;
      this.startedAt = t;
    }
    const final = e.total > 0 && e.done >= e.total;
    if (!final && t - this.lastDraw < 100) return;
    this.lastDraw = t;
    this.out.write('\r' + this.render(e, t) + '\x1b[K');
    this.drawn = true;
  }

  render(e: ProgressEvent, t = this.now()): string {
    const elapsed = (t - this.startedAt) / 1000;
    if (e.total <= 0) return `${e.stage} ${e.done} ${e.unit ?? ''}`.trimEnd();
    const frac = Math.min(1, e.done / e.total);
    const width = Math.max(10, Math.min(40, (this.out.columns ?? 80) - 50));
    const full = Math.round(frac * width);
    const rate = elapsed > 0 ? e.done / elapsed : 0;
    const eta = rate > 0 ? (e.total - e.done) / rate : NaN;
    return `${e.stage.padEnd(7)} [${'#'.repeat(full)}${'.'.repeat(width - full)}] ${e.done}/${e.total} ${e.unit ?? ''} ${rate.toFixed(1)}/s ETA ${formatDuration(eta)}`;
  }

  /** Clears the bar so the next output starts on a clean line. */
  done(): void {
    if (this.drawn) this.out.write('\r\x1b[K');
    this.drawn = false;
  }
}

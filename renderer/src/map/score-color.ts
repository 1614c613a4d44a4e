// Pure: the score colour ramp (hit outlines, heatmap, legend) from low to high relevance.

export type Rgb = [number, number, number];

/** Cyan -> yellow -> magenta-red: every stop stays bright against dark and green imagery. */
export const SCORE_RAMP: Array<[number, Rgb]> = [
  [0, [0, 200, 255]],
  [0.5, [255, 214, 0]],
  [1, [255, 0, 110]],
];

/** Colour at t in [0, 1] (clamped), linear between stops. */
export function rampColor(t: number, ramp: Array<[number, Rgb]> = SCORE_RAMP): Rgb {
  const v = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  for (let i = 1; i < ramp.length; i++) {
    const [t1, c1] = ramp[i];
    if (v <= t1) {
      const [t0, c0] = ramp[i - 1];
      const f = t1 === t0 ? 0 : (v - t0) / (t1 - t0);
      return [0, 1, 2].map((k) => Math.round(c0[k] + (c1[k] - c0[k]) * f)) as Rgb;
    }
  }
  return [...ramp[ramp.length - 1][1]] as Rgb;
}

/** Where a score falls between the scene's lowest and highest tile scores (0.5 when they are equal). */
export function normalizeScore(score: number, min: number, max: number): number {
  if (!(max > min)) return 0.5;
  return Math.min(1, Math.max(0, (score - min) / (max - min)));
}

export function scoreColor(score: number, stats: { min: number; max: number }): Rgb {
  return rampColor(normalizeScore(score, stats.min, stats.max));
}

export function rgbCss([r, g, b]: Rgb, alpha = 1): string {
  return alpha >= 1 ? `rgb(${r}, ${g}, ${b})` : `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/** "#rrggbb" or [r, g, b] to [r, g, b]. */
export function parseColor(c: string | Rgb): Rgb {
  if (Array.isArray(c)) return c;
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(c.trim());
  if (!m) return [128, 128, 128];
  return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
}

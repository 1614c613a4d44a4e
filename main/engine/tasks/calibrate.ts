// Says whether the best hits stand out from the scene's own score distribution, instead of always returning a top-k.
import type { Calibration } from '../../../shared/protocol/engine-api.js';

/** Thresholds in standard deviations above the scene's mean score. */
export const CALIBRATION = { confident: 3, weak: 2 } as const;

export function calibrate(top: number | undefined, stats: { mean: number; std: number }, tiles: number): Calibration {
  if (top === undefined || tiles < 2 || !(stats.std > 0)) {
    return { zTop: NaN, verdict: 'no-match', message: tiles < 2 ? 'Too few tiles to judge whether anything stands out.' : 'All tiles score the same: nothing stands out.' };
  }
  const zTop = (top - stats.mean) / stats.std;
  if (zTop >= CALIBRATION.confident) return { zTop, verdict: 'confident', message: `The best hit stands ${zTop.toFixed(1)} standard deviations above the scene's typical tile.` };
  if (zTop >= CALIBRATION.weak) return { zTop, verdict: 'weak', message: `The best hit stands only ${zTop.toFixed(1)} standard deviations above the scene's typical tile: treat the hits as suggestions.` };
  return { zTop, verdict: 'no-match', message: `Nothing in the scene matches confidently: the best hit is only ${zTop.toFixed(1)} standard deviations above the typical tile.` };
}

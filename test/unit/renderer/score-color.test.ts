// The score colour ramp shared by hit outlines, the heatmap and the legend.
import { describe, expect, it } from 'vitest';
import { normalizeScore, parseColor, rampColor, rgbCss, scoreColor, SCORE_RAMP } from '../../../renderer/src/map/score-color.js';

describe('score colours', () => {
  it('hits the ramp stops exactly and interpolates between them', () => {
    expect(rampColor(0)).toEqual(SCORE_RAMP[0][1]);
    expect(rampColor(0.5)).toEqual(SCORE_RAMP[1][1]);
    expect(rampColor(1)).toEqual(SCORE_RAMP[2][1]);
    // Halfway between cyan (0,200,255) and yellow (255,214,0).
    expect(rampColor(0.25)).toEqual([128, 207, 128]);
  });

  it('clamps out-of-range and non-finite positions', () => {
    expect(rampColor(-1)).toEqual(rampColor(0));
    expect(rampColor(7)).toEqual(rampColor(1));
    expect(rampColor(Number.NaN)).toEqual(rampColor(0));
  });

  it('normalises a score between the scene minimum and maximum', () => {
    expect(normalizeScore(0.3, 0.1, 0.5)).toBeCloseTo(0.5, 12);
    expect(normalizeScore(0.9, 0.1, 0.5)).toBe(1);
    expect(normalizeScore(0.2, 0.2, 0.2)).toBe(0.5);
    expect(scoreColor(0.5, { min: 0.1, max: 0.5 })).toEqual(rampColor(1));
  });

  it('parses and prints colours', () => {
    expect(parseColor('#1f77b4')).toEqual([31, 119, 180]);
    expect(parseColor('1F77B4')).toEqual([31, 119, 180]);
    expect(parseColor([1, 2, 3])).toEqual([1, 2, 3]);
    expect(parseColor('not a colour')).toEqual([128, 128, 128]);
    expect(rgbCss([1, 2, 3])).toBe('rgb(1, 2, 3)');
    expect(rgbCss([1, 2, 3], 0.5)).toBe('rgba(1, 2, 3, 0.5)');
  });
});

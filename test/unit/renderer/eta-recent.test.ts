// Indexing ETA from progress samples, and the recent-scenes list.
import { describe, expect, it } from 'vitest';
import { createEtaTracker, formatDuration } from '../../../renderer/src/features/indexing/eta.js';
import { addRecent, MAX_RECENT, readRecent, sceneName } from '../../../renderer/src/features/scenes/recent-scenes.js';
import { engineParams, DEFAULT_SETTINGS } from '../../../renderer/src/features/settings/settings.js';

function memoryStore() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
}

describe('ETA', () => {
  it('extrapolates the rate since the first sample', () => {
    const eta = createEtaTracker();
    expect(eta.update(10, 110, 0)).toBeNull();
    // 20 tiles in 2 s -> 10 tiles/s; 80 left -> 8 s.
    expect(eta.update(30, 110, 2000)).toBeCloseTo(8000, 6);
    expect(eta.update(30, 0, 3000)).toBeNull();
  });

  it('formats durations for people', () => {
    expect(formatDuration(null)).toBe('');
    expect(formatDuration(4_400)).toBe('4 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(3_780_000)).toBe('1 h 3 min');
  });
});

describe('recent scenes', () => {
  it('keeps the most recent first, without duplicates, bounded', () => {
    const store = memoryStore();
    addRecent(store, '/a.tif');
    addRecent(store, '/b.tif');
    expect(addRecent(store, '/a.tif')).toEqual(['/a.tif', '/b.tif']);
    for (let i = 0; i < 20; i++) addRecent(store, `/s${i}.tif`);
    expect(readRecent(store)).toHaveLength(MAX_RECENT);
    expect(readRecent(store)[0]).toBe('/s19.tif');
  });

  it('survives a corrupt store and names scenes by file', () => {
    const store = memoryStore();
    store.setItem('geosift.recentScenes', '{not json');
    expect(readRecent(store)).toEqual([]);
    expect(sceneName('/data/x/RGB.byte.tif')).toBe('RGB.byte.tif');
    expect(sceneName('https://h/cogs/a.tif?sig=1')).toBe('a.tif');
  });
});

describe('settings', () => {
  it('leaves empty fields to the engine defaults', () => {
    expect(engineParams(DEFAULT_SETTINGS)).toEqual({});
    expect(engineParams({ ...DEFAULT_SETTINGS, tile: ' 150m ', overlap: '25%', bands: 'rgb', model: 'test-clip' })).toEqual({ tile: '150m', overlap: '25%', bands: 'rgb', model: 'test-clip' });
  });
});

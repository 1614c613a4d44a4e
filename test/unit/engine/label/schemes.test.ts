// Built-in schemes (complete in ten languages, official colours), scheme files validated field by field, ad-hoc class lists.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { className, getScheme, listSchemes, parseScheme, schemeFromClassList, slugify } from '../../../../main/engine/label/schemes.js';
import { SCHEME_LANGUAGES } from '../../../../main/engine/label/types.js';

const dir = mkdtempSync(join(tmpdir(), 'schemes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('built-in schemes', () => {
  it('has EuroSAT 10, UC Merced 21, ESA WorldCover 11 and CORINE level 1 5 classes', () => {
    expect(Object.fromEntries(listSchemes().map((s) => [s.id, s.classes.length]))).toEqual({ eurosat: 10, ucmerced: 21, 'esa-worldcover': 11, 'corine-l1': 5 });
  });

  it('names every class in all ten languages, distinctly within a scheme, with valid unique ids, values and colours', () => {
    for (const s of listSchemes()) {
      expect(new Set(s.classes.map((c) => c.id)).size, s.id).toBe(s.classes.length);
      expect(new Set(s.classes.map((c) => c.value)).size, s.id).toBe(s.classes.length);
      for (const c of s.classes) {
        expect(c.id).toMatch(/^[a-z][a-z0-9-]*$/);
        expect(c.value).toBeGreaterThanOrEqual(1);
        expect(c.value).toBeLessThanOrEqual(254);
        expect(c.color).toMatch(/^#[0-9a-f]{6}$/);
        expect(Object.keys(c.names).sort()).toEqual([...SCHEME_LANGUAGES].sort());
        for (const l of SCHEME_LANGUAGES) expect(c.names[l].trim().length, `${s.id}/${c.id}/${l}`).toBeGreaterThan(0);
      }
      for (const l of SCHEME_LANGUAGES) {
        const names = s.classes.map((c) => c.names[l].toLowerCase());
        expect(new Set(names).size, `${s.id} ${l}: ${names.join(', ')}`).toBe(names.length);
      }
    }
  });

  it('uses the classes of the data sets it is named after', () => {
    expect(getScheme('eurosat').classes.map((c) => c.names.en)).toContain('sea or lake');
    const ucm = getScheme('ucm').classes.map((c) => c.id.replace(/-/g, ''));
    expect(ucm).toEqual(['agricultural', 'airplane', 'baseballdiamond', 'beach', 'buildings', 'chaparral', 'denseresidential', 'forest', 'freeway', 'golfcourse', 'harbor', 'intersection', 'mediumresidential', 'mobilehomepark', 'overpass', 'parkinglot', 'river', 'runway', 'sparseresidential', 'storagetanks', 'tenniscourt']);
  });

  it('carries ESA WorldCover codes and colours and CORINE level-1 colours', () => {
    const wc = getScheme('worldcover').classes.map((c) => [c.value, c.color]);
    expect(wc).toEqual([[10, '#006400'], [20, '#ffbb22'], [30, '#ffff4c'], [40, '#f096ff'], [50, '#fa0000'], [60, '#b4b4b4'], [70, '#f0f0f0'], [80, '#0064c8'], [90, '#0096a0'], [95, '#00cf75'], [100, '#fae6a0']]);
    expect(getScheme('CORINE').classes.map((c) => [c.value, c.color])).toEqual([[1, '#e6004d'], [2, '#ffffa8'], [3, '#80ff00'], [4, '#a6a6ff'], [5, '#00ccf2']]);
  });

  it('returns copies: changing one does not change the registry', () => {
    getScheme('eurosat').classes[0].names.en = 'changed';
    expect(getScheme('eurosat').classes[0].names.en).toBe('annual crop land');
  });

  it('names the built-ins when a scheme is unknown', () => {
    expect(() => getScheme('landsat-classes')).toThrow(/Unknown label scheme "landsat-classes".*eurosat, ucmerced, esa-worldcover, corine-l1/);
    expect(() => getScheme(join(dir, 'missing.json'))).toThrow(expect.objectContaining({ code: 'E_FILE_NOT_FOUND' }));
  });
});

describe('scheme files', () => {
  const good = {
    format: 'geosift-label-scheme',
    formatVersion: 1,
    id: 'coast',
    name: 'Coast',
    classes: [
      { id: 'water', value: 5, color: '#0000FF', names: { en: 'water', pt: 'água' }, prompts: { en: ['open water seen from above', 'a satellite photo of {}.'] } },
      { id: 'sand', names: { en: 'sand' } },
    ],
  };

  it('reads a valid file, filling defaults for value and colour', () => {
    const p = join(dir, 'coast.json');
    writeFileSync(p, JSON.stringify(good));
    const s = getScheme(p);
    expect(s.id).toBe('coast');
    expect(s.classes[0]).toEqual({ id: 'water', value: 5, color: '#0000ff', names: { en: 'water', pt: 'água' }, prompts: { en: ['open water seen from above', 'a satellite photo of {}.'] } });
    expect(s.classes[1].value).toBe(2);
    expect(s.classes[1].color).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('names the field that is wrong', () => {
    const bad = (patch: (s: any) => void): unknown => {
      const s = JSON.parse(JSON.stringify(good));
      patch(s);
      return s;
    };
    const cases: [unknown, RegExp][] = [
      [bad((s) => (s.format = 'other')), /format must be "geosift-label-scheme"/],
      [bad((s) => (s.id = 'Has Space')), /: id must be a lower-case id/],
      [bad((s) => (s.classes = [])), /classes must be a non-empty array/],
      [bad((s) => (s.classes[1].id = 'water')), /classes\[1\]\.id "water" appears twice/],
      [bad((s) => (s.classes[0].value = 255)), /classes\[0\]\.value must be a whole number from 1 to 254/],
      [bad((s) => (s.classes[1].value = 5)), /classes\[1\]\.value 5 is used by two classes/],
      [bad((s) => (s.classes[0].color = 'blue')), /classes\[0\]\.color must be "#rrggbb", got "blue"/],
      [bad((s) => (s.classes[0].names = {})), /classes\[0\]\.names must be an object/],
      [bad((s) => (s.classes[0].names.pt = '')), /classes\[0\]\.names\.pt must be a non-empty string/],
      [bad((s) => (s.classes[0].names = { english: 'water' })), /classes\[0\]\.names has a key "english"/],
      [bad((s) => (s.classes[0].prompts.en = [])), /classes\[0\]\.prompts\.en must be a non-empty list/],
      [bad((s) => (s.classes[0].id = 'unknown')), /classes\[0\]\.id "unknown" is reserved/],
    ];
    for (const [value, re] of cases) {
      expect(() => parseScheme(value, 'my.json'), String(re)).toThrow(re);
      try {
        parseScheme(value, 'my.json');
      } catch (e) {
        expect((e as { code: string }).code).toBe('E_BAD_ARGUMENT');
        expect((e as Error).message.startsWith('my.json: ')).toBe(true);
      }
    }
  });

  it('reports a file that is not JSON', () => {
    const p = join(dir, 'broken.json');
    writeFileSync(p, '{"id": "x", ');
    expect(() => getScheme(p)).toThrow(expect.objectContaining({ code: 'E_BAD_ARGUMENT', message: expect.stringContaining('is not valid JSON') }));
  });
});

describe('class lists', () => {
  it('makes a scheme from a comma-separated list in a language', () => {
    const s = schemeFromClassList(' floresta, água ,solo exposto', 'pt');
    expect(s.classes.map((c) => [c.id, c.value, c.names])).toEqual([
      ['floresta', 1, { pt: 'floresta' }],
      ['água', 2, { pt: 'água' }],
      ['solo-exposto', 3, { pt: 'solo exposto' }],
    ]);
    expect(schemeFromClassList('绿色,蓝色', 'zh').classes.map((c) => c.id)).toEqual(['绿色', '蓝色']);
  });

  it('refuses fewer than two classes and duplicates', () => {
    expect(() => schemeFromClassList('forest', 'en')).toThrow(/at least two classes/);
    expect(() => schemeFromClassList('forest, Forest', 'en')).toThrow(/given twice/);
  });

  it('falls back to English, then to the first name, and says so', () => {
    const c = { id: 'x', value: 1, color: '#000000', names: { en: 'forest', pt: 'floresta' } };
    expect(className(c, 'pt')).toEqual({ name: 'floresta', language: 'pt', fellBack: false });
    expect(className(c, 'pt-BR')).toEqual({ name: 'floresta', language: 'pt', fellBack: false });
    expect(className(c, 'de')).toEqual({ name: 'forest', language: 'en', fellBack: true });
    expect(className({ ...c, names: { nl: 'bos' } }, 'de')).toEqual({ name: 'bos', language: 'nl', fellBack: true });
    expect(slugify('  Golf   Course! ')).toBe('golf-course');
  });
});

describe('colours of typed classes', () => {
  it('keeps conventional colours for known land-cover names and colour words, palette colours for the rest', async () => {
    const { schemeFromClassList, listSchemes } = await import('../../../../main/engine/label/schemes.js');
    const s = schemeFromClassList('Forest, red, my odd class, green', 'en');
    const forest = listSchemes().flatMap((x) => x.classes).find((c) => Object.values(c.names).some((n) => n.toLowerCase() === 'forest'))!;
    expect(s.classes[0].color).toBe(forest.color);
    expect(s.classes[1].color).toBe('#d62728');
    expect(s.classes[3].color).toBe('#2ca02c');
    const colours = s.classes.map((c) => c.color);
    expect(new Set(colours).size).toBe(colours.length);
    expect(colours.every((c) => /^#[0-9a-f]{6}$/i.test(c))).toBe(true);
  });
});

// Label schemes: the built-in registry, user scheme files (validated field by field) and ad-hoc class lists.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EngineError, ErrorCodes } from '../../../shared/protocol/errors.js';
import { BUILTIN_SCHEMES, SCHEME_ALIASES } from './builtin-schemes.js';
import { NODATA_VALUE, UNKNOWN_VALUE, type LabelScheme, type SchemeClass } from './types.js';

export const SCHEME_FILE_FORMAT = 'geosift-label-scheme';
export const MAX_CLASSES = 254;

/** Colours for classes that come without one (ad-hoc lists): distinct, none grey (grey means unknown). */
export const DEFAULT_PALETTE = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#bcbd22', '#17becf', '#aec7e8',
  '#ffbb78', '#98df8a', '#ff9896', '#c5b0d5', '#c49c94', '#f7b6d2', '#dbdb8d', '#9edae5', '#393b79', '#637939',
];

export function listSchemes(): LabelScheme[] {
  return BUILTIN_SCHEMES.map(cloneScheme);
}

function cloneScheme(s: LabelScheme): LabelScheme {
  return JSON.parse(JSON.stringify(s)) as LabelScheme;
}

/** Lower-case kebab id from a class name ("Golf course" -> "golf-course"); non-Latin names keep their letters. */
export function slugify(name: string): string {
  const s = name.normalize('NFKC').trim().toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '');
  return s || 'class';
}

/**
 * A built-in scheme by id (or alias), else a scheme file (JSON) by path.
 * Throws E_BAD_ARGUMENT naming the built-ins when the name is neither.
 */
export function getScheme(nameOrPath: string): LabelScheme {
  if (typeof nameOrPath !== 'string' || nameOrPath.trim() === '') {
    throw new EngineError(ErrorCodes.BAD_ARGUMENT, `No label scheme given: use one of ${BUILTIN_SCHEMES.map((s) => s.id).join(', ')} or a scheme file (.json).`);
  }
  const key = nameOrPath.trim().toLowerCase();
  const id = SCHEME_ALIASES[key] ?? key;
  const builtin = BUILTIN_SCHEMES.find((s) => s.id === id);
  if (builtin) return cloneScheme(builtin);
  const looksLikeFile = /[\\/]/.test(nameOrPath) || /\.json$/i.test(nameOrPath);
  if (!looksLikeFile && !existsSync(nameOrPath)) {
    throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Unknown label scheme "${nameOrPath}": use one of ${BUILTIN_SCHEMES.map((s) => s.id).join(', ')}, or the path of a scheme file (.json, see docs/label-schemes.md).`);
  }
  return readSchemeFile(nameOrPath);
}

export function readSchemeFile(path: string): LabelScheme {
  const full = resolve(path);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (e) {
    throw new EngineError(ErrorCodes.FILE_NOT_FOUND, `Label scheme file ${full} cannot be read: ${(e as Error).message}`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Label scheme file ${full} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  return parseScheme(json, full);
}

const ID_RE = /^[\p{Ll}\p{Lo}\p{N}][\p{Ll}\p{Lo}\p{N}_-]*$/u;
const COLOR_RE = /^#[0-9a-fA-F]{6}$/;
const LANG_RE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

/** Validates a scheme object (parsed scheme file); `where` names it in error messages. */
export function parseScheme(value: unknown, where = 'label scheme'): LabelScheme {
  const fail = (field: string, problem: string): never => {
    throw new EngineError(ErrorCodes.BAD_ARGUMENT, `${where}: ${field} ${problem}`);
  };
  if (!isObject(value)) fail('the file', 'must hold a JSON object');
  const v = value as Record<string, unknown>;
  if (v.format !== undefined && v.format !== SCHEME_FILE_FORMAT) fail('format', `must be "${SCHEME_FILE_FORMAT}", got ${JSON.stringify(v.format)}`);
  if (v.formatVersion !== undefined && v.formatVersion !== 1) fail('formatVersion', `must be 1, got ${JSON.stringify(v.formatVersion)}`);
  if (typeof v.id !== 'string' || !ID_RE.test(v.id)) fail('id', `must be a lower-case id of letters, digits, "-" or "_", got ${JSON.stringify(v.id)}`);
  if (v.name !== undefined && (typeof v.name !== 'string' || v.name.trim() === '')) fail('name', 'must be a non-empty string');
  for (const f of ['description', 'source'] as const) {
    if (v[f] !== undefined && typeof v[f] !== 'string') fail(f, 'must be a string');
  }
  if (!Array.isArray(v.classes) || v.classes.length === 0) fail('classes', 'must be a non-empty array');
  const raw = v.classes as unknown[];
  if (raw.length > MAX_CLASSES) fail('classes', `has ${raw.length} entries; at most ${MAX_CLASSES} fit in the 8-bit class raster`);
  const ids = new Set<string>();
  const values = new Set<number>();
  const classes: SchemeClass[] = raw.map((cv, i) => {
    const at = `classes[${i}]`;
    if (!isObject(cv)) fail(at, 'must be an object');
    const c = cv as Record<string, unknown>;
    if (typeof c.id !== 'string' || !ID_RE.test(c.id)) fail(`${at}.id`, `must be a lower-case id of letters, digits, "-" or "_", got ${JSON.stringify(c.id)}`);
    const id = c.id as string;
    if (id === 'unknown' || id === 'nodata') fail(`${at}.id`, `"${id}" is reserved`);
    if (ids.has(id)) fail(`${at}.id`, `"${id}" appears twice`);
    ids.add(id);
    const val = c.value === undefined ? i + 1 : c.value;
    if (typeof val !== 'number' || !Number.isInteger(val) || val <= UNKNOWN_VALUE || val >= NODATA_VALUE) {
      fail(`${at}.value`, `must be a whole number from 1 to 254 (0 is unknown, 255 nodata), got ${JSON.stringify(c.value)}`);
    }
    if (values.has(val as number)) fail(`${at}.value`, `${String(val)} is used by two classes`);
    values.add(val as number);
    const color = c.color === undefined ? DEFAULT_PALETTE[i % DEFAULT_PALETTE.length] : c.color;
    if (typeof color !== 'string' || !COLOR_RE.test(color)) fail(`${at}.color`, `must be "#rrggbb", got ${JSON.stringify(c.color)}`);
    if (!isObject(c.names) || Object.keys(c.names as object).length === 0) fail(`${at}.names`, 'must be an object of language code -> name with at least one entry, e.g. {"en": "forest"}');
    const names: Record<string, string> = {};
    for (const [lang, name] of Object.entries(c.names as Record<string, unknown>)) {
      if (!LANG_RE.test(lang)) fail(`${at}.names`, `has a key "${lang}" that is not a language code like "en" or "pt"`);
      if (typeof name !== 'string' || name.trim() === '') fail(`${at}.names.${lang}`, 'must be a non-empty string');
      names[lang] = (name as string).trim();
    }
    const out: SchemeClass = { id, value: val as number, color: (color as string).toLowerCase(), names };
    if (c.prompts !== undefined) {
      if (!isObject(c.prompts)) fail(`${at}.prompts`, 'must be an object of language code -> list of prompts');
      const prompts: Record<string, string[]> = {};
      for (const [lang, list] of Object.entries(c.prompts as Record<string, unknown>)) {
        if (!LANG_RE.test(lang)) fail(`${at}.prompts`, `has a key "${lang}" that is not a language code`);
        if (!Array.isArray(list) || list.length === 0 || list.some((p) => typeof p !== 'string' || p.trim() === '')) {
          fail(`${at}.prompts.${lang}`, 'must be a non-empty list of non-empty strings');
        }
        prompts[lang] = (list as string[]).map((p) => p.trim());
      }
      out.prompts = prompts;
    }
    return out;
  });
  const scheme: LabelScheme = { id: v.id as string, name: ((v.name as string | undefined) ?? (v.id as string)).trim(), classes };
  if (typeof v.description === 'string') scheme.description = v.description;
  if (typeof v.source === 'string') scheme.source = v.source;
  return scheme;
}

/**
 * An ad-hoc scheme from a comma-separated list typed by a user ("forest, water, bare soil"),
 * the names taken to be in `lang`. Values 1..n in order, colours from DEFAULT_PALETTE.
 */
export function schemeFromClassList(list: string | string[], lang = 'en'): LabelScheme {
  const names = (Array.isArray(list) ? list : list.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  if (names.length < 2) {
    throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Give at least two classes separated by commas, e.g. "forest, water, buildings"; got ${JSON.stringify(Array.isArray(list) ? list.join(',') : list)}.`);
  }
  if (names.length > MAX_CLASSES) throw new EngineError(ErrorCodes.BAD_ARGUMENT, `${names.length} classes given; at most ${MAX_CLASSES} fit in the 8-bit class raster.`);
  if (!LANG_RE.test(lang)) throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Language "${lang}" is not a language code like "en" or "pt".`);
  const seen = new Map<string, number>();
  const classes: SchemeClass[] = names.map((name, i) => {
    let id = slugify(name);
    if (id === 'unknown' || id === 'nodata') id = `${id}-class`;
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    if (n > 0) {
      throw new EngineError(ErrorCodes.BAD_ARGUMENT, `Class "${name}" is given twice in the class list.`);
    }
    return { id, value: i + 1, color: '', names: { [lang]: name } };
  });
  // A typed class that a built-in scheme also names (in any language) keeps that scheme's
  // conventional colour (water blue, forest green...); the others take unused palette colours.
  const used = new Set<string>();
  for (const c of classes) {
    const known = knownColour(c.names[lang]);
    if (known && !used.has(known)) {
      c.color = known;
      used.add(known);
    }
  }
  const free = DEFAULT_PALETTE.filter((col) => !used.has(col));
  let k = 0;
  for (const c of classes) if (!c.color) c.color = free.length ? free[k++ % free.length] : DEFAULT_PALETTE[k++ % DEFAULT_PALETTE.length];
  return { id: 'custom', name: `Custom classes (${lang})`, classes };
}

/** Plain colour words name their own colour; land-cover words take a built-in scheme's colour. */
const COLOUR_WORDS: Record<string, string> = { red: '#d62728', green: '#2ca02c', blue: '#1f77b4', yellow: '#ffd92f', white: '#f0f0f0', black: '#202020', bright: '#f0f0f0', dark: '#404040', orange: '#ff7f0e', brown: '#8c564b', grey: '#9e9e9e', gray: '#9e9e9e' };

function knownColour(name: string): string | null {
  const key = name.trim().toLowerCase();
  if (COLOUR_WORDS[key]) return COLOUR_WORDS[key];
  for (const scheme of BUILTIN_SCHEMES) {
    for (const cls of scheme.classes) {
      if (Object.values(cls.names).some((n) => n.toLowerCase() === key)) return cls.color;
    }
  }
  return null;
}

/**
 * The name of a class in `lang`: that language, else English, else the first name given.
 * `fellBack` says the requested language had no name.
 */
export function className(cls: SchemeClass, lang: string): { name: string; language: string; fellBack: boolean } {
  if (cls.names[lang]) return { name: cls.names[lang], language: lang, fellBack: false };
  const base = lang.split('-')[0];
  if (cls.names[base]) return { name: cls.names[base], language: base, fellBack: false };
  if (cls.names.en) return { name: cls.names.en, language: 'en', fellBack: true };
  const [first] = Object.entries(cls.names);
  return { name: first[1], language: first[0], fellBack: true };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

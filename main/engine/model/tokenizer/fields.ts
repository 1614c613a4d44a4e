// Typed readers for tokenizer.json fields that fail with E_TOKENIZER_INVALID naming the offending path.
import { EngineError, ErrorCodes } from '../../../../shared/protocol/errors.js';

export type Json = Record<string, unknown>;

export function invalid(message: string): EngineError {
  return new EngineError(ErrorCodes.TOKENIZER_INVALID, `tokenizer.json: ${message}`);
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function asObject(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`${path} must be an object, got ${describe(value)}`);
  }
  return value as Json;
}

export function asArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw invalid(`${path} must be an array, got ${describe(value)}`);
  return value;
}

export function asString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw invalid(`${path} must be a string, got ${describe(value)}`);
  return value;
}

export function asInt(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw invalid(`${path} must be a non-negative integer, got ${describe(value)}`);
  }
  return value;
}

export function asNumber(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(`${path} must be a number, got ${describe(value)}`);
  return value;
}

/** Optional fields: absent and null both mean "use the library's default". */
export function optString(obj: Json, key: string, path: string, fallback: string): string;
export function optString(obj: Json, key: string, path: string, fallback: null): string | null;
export function optString(obj: Json, key: string, path: string, fallback: string | null): string | null {
  const v = obj[key];
  return v === undefined || v === null ? fallback : asString(v, `${path}.${key}`);
}

export function optBool(obj: Json, key: string, path: string, fallback: boolean): boolean {
  const v = obj[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw invalid(`${path}.${key} must be true or false, got ${describe(v)}`);
  return v;
}

export function typeOf(obj: Json, path: string): string {
  return asString(obj.type, `${path}.type`);
}

/** A registry lookup that names the unsupported component and the ones that are supported. */
export function fromRegistry<T>(registry: Record<string, T>, type: string, kind: string, path: string): T {
  const entry = Object.prototype.hasOwnProperty.call(registry, type) ? registry[type] : undefined;
  if (entry === undefined) {
    throw invalid(`${path}: unsupported ${kind} type "${type}" (supported: ${Object.keys(registry).join(', ')})`);
  }
  return entry;
}

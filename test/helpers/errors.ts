// The EngineError a call throws, for asserting its code and message.
import { expect } from 'vitest';
import { EngineError } from '../../shared/protocol/errors.js';

export function errorOf(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    return e as EngineError;
  }
  throw new Error('expected an error');
}

export async function asyncErrorOf(p: Promise<unknown>): Promise<EngineError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    return e as EngineError;
  }
  throw new Error('expected an error');
}

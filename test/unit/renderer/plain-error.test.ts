// Engine errors become plain words with an action; canceled is not an error; serve refusals say what is allowed.
import { describe, expect, it } from 'vitest';
import { plainError } from '../../../renderer/src/features/errors/plain-error.js';
import { canceledError, EngineError, ErrorCodes } from '../../../shared/protocol/errors.js';

describe('plainError', () => {
  it('names the problem, keeps the engine message and says what to do', () => {
    const p = plainError(new EngineError(ErrorCodes.NOT_TIFF, '/x/a.tif is not a TIFF file'));
    expect(p).toMatchObject({ title: 'Not a GeoTIFF', detail: '/x/a.tif is not a TIFF file', code: ErrorCodes.NOT_TIFF });
    expect(p!.action).toMatch(/gdal_translate/);
  });

  it('returns null for cancellation', () => {
    expect(plainError(canceledError())).toBeNull();
  });

  it('explains a policy refusal rather than calling it a bad setting', () => {
    const p = plainError(new EngineError(ErrorCodes.BAD_ARGUMENT, 'Refused /etc/x.tif', { details: { refused: 'not-allowed' } }));
    expect(p!.title).toBe('Not allowed here');
    expect(p!.action).toMatch(/--allow/);
  });

  it('handles plain errors', () => {
    expect(plainError(new Error('boom'))).toMatchObject({ title: 'Something went wrong', detail: 'boom', code: null });
  });
});

// Finding a model package from an id (search paths, user data folder) or a folder path.
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../../shared/protocol/errors.js';
import { DEFAULT_MODEL_ID, resolveModelDir, userModelsDir } from '../../../../main/engine/model/resolve-model.js';
import { generatedDir, testModelDir } from '../../../helpers/paths.js';
import { errorOf } from '../../../helpers/errors.js';

const models = join(generatedDir, 'models');


describe('resolveModelDir', () => {
  it('takes a folder that holds model.json', () => {
    expect(resolveModelDir(testModelDir, [])).toBe(resolve(testModelDir));
  });

  it('looks an id up in the search paths, first match wins', () => {
    expect(resolveModelDir('test-clip', [join(generatedDir, 'nothing-here'), models])).toBe(join(models, 'test-clip'));
    expect(resolveModelDir('broken-hash', [models])).toBe(join(models, 'broken-hash'));
  });

  it('lists every place it looked when the id is unknown', () => {
    const e = errorOf(() => resolveModelDir('no-such-model', ['/opt/a', '/opt/b']));
    expect(e.code).toBe('E_MODEL_NOT_FOUND');
    expect(e.message).toContain('Model "no-such-model" not found');
    expect(e.message).toContain(join('/opt/a', 'no-such-model', 'model.json'));
    expect(e.message).toContain(join('/opt/b', 'no-such-model', 'model.json'));
  });

  it('a path without model.json is not found, naming the path', () => {
    const e = errorOf(() => resolveModelDir(generatedDir, [models]));
    expect(e.code).toBe('E_MODEL_NOT_FOUND');
    expect(e.message).toContain(join(generatedDir, 'model.json'));
  });

  it('an empty name is a bad argument', () => {
    expect(errorOf(() => resolveModelDir('', [models])).code).toBe('E_BAD_ARGUMENT');
  });

  it('has a default model id', () => {
    expect(DEFAULT_MODEL_ID).toBe('geosift-rs-mini');
  });
});

describe('userModelsDir', () => {
  it('honours GEOSIFT_HOME, then the platform convention', () => {
    expect(userModelsDir({ GEOSIFT_HOME: '/data/geo' }, 'linux')).toBe(join('/data/geo', 'models'));
    expect(userModelsDir({ XDG_DATA_HOME: '/x/share' }, 'linux')).toBe(join('/x/share', 'geosift', 'models'));
    expect(userModelsDir({ APPDATA: 'C:/Users/u/AppData/Roaming' }, 'win32')).toBe(join('C:/Users/u/AppData/Roaming', 'Geosift', 'models'));
    expect(userModelsDir({}, 'darwin')).toMatch(/Library.Application Support.Geosift.models$/);
  });
});

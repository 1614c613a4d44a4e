// The model layer's public surface: load a package, encode images and texts, and the pieces tasks reuse.
export type * from './types.js';
export { loadModel, l2NormalizeRows, DEFAULT_BATCH_SIZE } from './model.js';
export { parseManifest, loadModelPackage, sha256File, MANIFEST_FILE, type ModelPackage, type LoadPackageOptions } from './manifest.js';
export { resolveModelDir, defaultModelSearchPaths, userModelsDir, DEFAULT_MODEL_ID } from './resolve-model.js';
export { supportedProviders, platformGpuProvider } from './onnx-runtime.js';
export {
  preprocessSpec,
  preprocessInto,
  preprocessBatch,
  resizeForModel,
  resizeRgb,
  centerCrop,
  shortestSideSize,
  type PreprocessSpec,
} from './preprocess.js';

// The model layer's contract: the package manifest, images in, embeddings out.

/** An 8-bit RGB image, row-major, 3 interleaved channels (HWC). */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export type ExecutionProviderName = 'auto' | 'cuda' | 'dml' | 'coreml' | 'cpu';

export interface ModelLoadOptions {
  /** Execution provider; 'auto' tries the platform's GPU provider and falls back to CPU. */
  provider?: ExecutionProviderName;
  /** Intra-op threads (0 = ONNX Runtime default). */
  intraOpThreads?: number;
  /** Images per vision batch. */
  batchSize?: number;
  /** Verify each file's sha256 against the manifest before loading (default true). */
  verifyHashes?: boolean;
  /** Folders where a model id is looked up as `<folder>/<id>/model.json` (default: the user's models folder). */
  searchPaths?: string[];
  /**
   * 'int8' runs the package's int8 vision graph (an export variant, `--int8`) instead of the fp32 one: about 2.4x the
   * tiles/s of ViT-B/32 on a CPU with int8 dot-product instructions. Use it only where its quality loss was measured
   * (models/README.md). Default 'fp32'.
   */
  visionPrecision?: VisionPrecision;
  signal?: AbortSignal;
}

export type VisionPrecision = 'fp32' | 'int8';

export interface EncodeOptions {
  signal?: AbortSignal;
}

/** Model package manifest (model.json). Field docs live in models/README.md. */
export interface ModelManifest {
  format: 'geosift-model';
  formatVersion: 1;
  id: string;
  name: string;
  description?: string;
  /** Where the weights come from, e.g. "hf-hub:joaodaniel/RS-M-CLIP". */
  source: string;
  license: string;
  embeddingDim: number;
  /** Whether the ONNX outputs are already L2-normalised (the engine normalises anyway). */
  outputsNormalized: boolean;
  /** CLIP logit scale (exp of the learned temperature), used to turn cosines into softmax probabilities. */
  logitScale: number;
  vision: {
    file: string;
    /** Input tensor name (NCHW float32) and output tensor name (N x embeddingDim). */
    input: string;
    output: string;
    imageSize: number;
    mean: [number, number, number];
    std: [number, number, number];
    /** 'shortest-center-crop' = resize shortest side then centre-crop (open_clip default); 'squash' = resize to square. */
    resizeMode: 'shortest-center-crop' | 'squash';
    interpolation: 'bicubic' | 'bilinear';
    /** Bands the model expects, in order (RGB for every CLIP model so far). */
    bands: string[];
    /** Ground sample distance in metres the model was trained at, when known. */
    preferredGsdM?: number | null;
  };
  text: {
    file: string;
    /** Input names: token ids (int64 N x L) and attention mask (int64 N x L); output N x embeddingDim. */
    inputIds: string;
    attentionMask: string | null;
    output: string;
    tokenizer: string;
    contextLength: number;
    /** Pad every batch to contextLength (models whose graph needs a fixed length) instead of to the longest. */
    padToContextLength: boolean;
    padId: number;
    bosId: number | null;
    eosId: number | null;
    /** 'inside-graph' means the ONNX text graph already pools and projects. */
    pooling: 'inside-graph';
  };
  languages: string[];
  /** Prompt templates per language, each with '{}' where the class name or query goes. */
  promptTemplates: Record<string, string[]>;
  /** sha256 (hex) of every file in the package, by file name. */
  files: Record<string, { sha256: string; bytes: number }>;
  /** Free-form provenance: training data, metrics, export tool version. */
  provenance?: Record<string, unknown>;
}

export interface ModelInfo {
  manifest: ModelManifest;
  /** Folder the package was loaded from. */
  dir: string;
  /** sha256 of model.json, identifying this exact package. */
  manifestSha256: string;
  /** Execution provider actually in use, e.g. 'cpu' or 'cuda'. */
  provider: string;
  /** Why a requested GPU provider was not used, when it fell back. */
  providerNote?: string;
  /** The vision graph in use (manifest vision.file, or a variant's file) and its precision. */
  visionFile: string;
  visionPrecision: VisionPrecision;
  /**
   * Identity of the image embeddings this model produces, for the index: manifestSha256 with the fp32 graph, a hash
   * of it and the variant's file otherwise (int8 embeddings are never mixed with fp32 ones).
   */
  embeddingKey: string;
}

export interface Model {
  readonly info: ModelInfo;
  readonly embeddingDim: number;
  /** Images of any size -> L2-normalised embeddings (one Float32Array per image). Batches internally. */
  encodeImages(images: RgbImage[], options?: EncodeOptions): Promise<Float32Array[]>;
  /** Pre-processed NCHW tensor data (n images) -> L2-normalised embeddings. */
  encodePixels(pixels: Float32Array, n: number, options?: EncodeOptions): Promise<Float32Array[]>;
  /** Texts -> L2-normalised embeddings. */
  encodeTexts(texts: string[], options?: EncodeOptions): Promise<Float32Array[]>;
  /** Frees the ONNX sessions; safe to call twice. */
  dispose(): Promise<void>;
}

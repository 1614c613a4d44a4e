// Stable error codes and the one error type that crosses every boundary (engine, CLI, host, serve).

/** Every failure a user can act on has one of these codes. Codes are stable: scripts match on them. */
export const ErrorCodes = {
  /** Bad command-line or API arguments (absurd tile size, unknown option value). */
  BAD_ARGUMENT: 'E_BAD_ARGUMENT',
  /** The file does not exist or cannot be read. */
  FILE_NOT_FOUND: 'E_FILE_NOT_FOUND',
  /** The file is not a TIFF at all. */
  NOT_TIFF: 'E_NOT_TIFF',
  /** The TIFF is cut short or its structure is corrupt. */
  CORRUPT_TIFF: 'E_CORRUPT_TIFF',
  /** The image has zero width, height or bands. */
  EMPTY_IMAGE: 'E_EMPTY_IMAGE',
  /** The TIFF uses a compression or sample layout we cannot decode. */
  UNSUPPORTED_TIFF: 'E_UNSUPPORTED_TIFF',
  /** A declared size is larger than the memory budget allows. */
  TOO_LARGE: 'E_TOO_LARGE',
  /** The CRS cannot be understood or reprojected. */
  UNSUPPORTED_CRS: 'E_UNSUPPORTED_CRS',
  /** The scene has no georeferencing where coordinates are required. */
  NOT_GEOREFERENCED: 'E_NOT_GEOREFERENCED',
  /** A band index or preset that the scene does not have. */
  BAD_BANDS: 'E_BAD_BANDS',
  /** Remote scene could not be fetched. */
  NETWORK: 'E_NETWORK',
  /** Model package folder or one of its files is missing. */
  MODEL_NOT_FOUND: 'E_MODEL_NOT_FOUND',
  /** model.json is malformed or a field is invalid. */
  MODEL_INVALID: 'E_MODEL_INVALID',
  /** A model file does not match its manifest (hash, tensor names or shapes). */
  MODEL_MISMATCH: 'E_MODEL_MISMATCH',
  /** ONNX Runtime failed to load or run a model. */
  MODEL_RUNTIME: 'E_MODEL_RUNTIME',
  /** The requested execution provider is not available. */
  PROVIDER_UNAVAILABLE: 'E_PROVIDER_UNAVAILABLE',
  /** The tokenizer file is malformed or uses an unsupported component. */
  TOKENIZER_INVALID: 'E_TOKENIZER_INVALID',
  /** Writing an output failed. */
  OUTPUT: 'E_OUTPUT',
  /** Nothing to work on (every tile masked, empty query). */
  NOTHING_TO_DO: 'E_NOTHING_TO_DO',
  /** The operation was canceled. Never shown as a failure. */
  CANCELED: 'E_CANCELED',
  /** A bug: anything not anticipated. */
  INTERNAL: 'E_INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

const KNOWN = new Set<string>(Object.values(ErrorCodes));

/** The serialisable shape of an error crossing a process boundary. */
export interface SerializedError {
  name: 'EngineError';
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/** A failure with a stable code and a message a person can act on. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details;
  }

  /** True for errors the user caused (bad input); false for bugs, which deserve a stack trace. */
  get isUserError(): boolean {
    return this.code !== ErrorCodes.INTERNAL;
  }

  toJSON(): SerializedError {
    const out: SerializedError = { name: 'EngineError', code: this.code, message: this.message };
    if (this.details) out.details = this.details;
    return out;
  }

  static fromJSON(value: unknown): EngineError {
    if (value && typeof value === 'object') {
      const v = value as Partial<SerializedError>;
      const code = typeof v.code === 'string' && KNOWN.has(v.code) ? (v.code as ErrorCode) : ErrorCodes.INTERNAL;
      return new EngineError(code, typeof v.message === 'string' ? v.message : 'Unknown error', v.details ? { details: v.details } : undefined);
    }
    return new EngineError(ErrorCodes.INTERNAL, String(value));
  }
}

export function isEngineError(e: unknown): e is EngineError {
  return e instanceof EngineError;
}

/** The error thrown when an AbortSignal fires. Canceled is its own outcome, not a failure. */
export function canceledError(): EngineError {
  return new EngineError(ErrorCodes.CANCELED, 'Canceled');
}

export function isCanceled(e: unknown): boolean {
  return (e instanceof EngineError && e.code === ErrorCodes.CANCELED) || (e instanceof Error && e.name === 'AbortError');
}

/** Throws the canceled error if the signal has fired; call between units of work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw canceledError();
}

// Pure: an engine error in plain words with what the analyst can do about it; canceled is not an error.
import { ErrorCodes, isCanceled, type ErrorCode } from '../../../../shared/protocol/errors.js';

export interface PlainError {
  title: string;
  detail: string;
  action: string;
  code: ErrorCode | null;
}

const ADVICE: Partial<Record<ErrorCode, { title: string; action: string }>> = {
  [ErrorCodes.FILE_NOT_FOUND]: { title: 'File not found', action: 'Check the path, or pick the file from the list of scenes this server allows.' },
  [ErrorCodes.NOT_TIFF]: { title: 'Not a GeoTIFF', action: 'Open a GeoTIFF or Cloud-Optimized GeoTIFF (.tif). Convert other formats with gdal_translate first.' },
  [ErrorCodes.CORRUPT_TIFF]: { title: 'The file is damaged', action: 'The TIFF is cut short or corrupt: download or copy it again, or check it with gdalinfo.' },
  [ErrorCodes.EMPTY_IMAGE]: { title: 'The image is empty', action: 'The file has no pixels or no bands; open another scene.' },
  [ErrorCodes.UNSUPPORTED_TIFF]: { title: 'Unsupported TIFF layout', action: 'Rewrite it with gdal_translate -co COMPRESS=DEFLATE -co TILED=YES and open the copy.' },
  [ErrorCodes.TOO_LARGE]: { title: 'Too large', action: 'Build overviews (gdaladdo) or use a COG, or open a smaller subset.' },
  [ErrorCodes.UNSUPPORTED_CRS]: { title: 'Unknown coordinate system', action: 'Reproject the scene (gdalwarp -t_srs EPSG:4326) to place it on the map.' },
  [ErrorCodes.NOT_GEOREFERENCED]: { title: 'Not georeferenced', action: 'This needs map coordinates; georeference the scene first (gdal_translate -a_srs / -a_ullr).' },
  [ErrorCodes.BAD_BANDS]: { title: 'Bands not in this scene', action: 'Change "Bands" in Settings to bands the scene has (see the Scene tab), or leave it empty for the model default.' },
  [ErrorCodes.BAD_ARGUMENT]: { title: 'Invalid setting', action: 'Check the values in Settings (tile size like "224px" or "150m", overlap like "25%").' },
  [ErrorCodes.NETWORK]: { title: 'Cannot fetch the remote scene', action: 'Check the URL and your connection; the server must allow HTTP range requests.' },
  [ErrorCodes.MODEL_NOT_FOUND]: { title: 'Model not found', action: 'Check the model id in Settings, or leave it empty to use the bundled model.' },
  [ErrorCodes.MODEL_INVALID]: { title: 'Model package is invalid', action: 'Reinstall the model package; its model.json is malformed.' },
  [ErrorCodes.MODEL_MISMATCH]: { title: 'Model files do not match', action: 'Reinstall the model package; a file does not match its manifest.' },
  [ErrorCodes.MODEL_RUNTIME]: { title: 'The model failed to run', action: 'Try again; if it persists, choose another execution provider or model.' },
  [ErrorCodes.PROVIDER_UNAVAILABLE]: { title: 'Execution provider unavailable', action: 'Use the CPU provider, or install the drivers for the one you chose.' },
  [ErrorCodes.TOKENIZER_INVALID]: { title: 'Tokenizer is invalid', action: 'Reinstall the model package.' },
  [ErrorCodes.OUTPUT]: { title: 'Could not write the file', action: 'Choose another folder, or free disk space.' },
  [ErrorCodes.NOTHING_TO_DO]: { title: 'Nothing to work on', action: 'Type a query, or check that the scene has valid (non-nodata) pixels for this tile size.' },
  [ErrorCodes.INTERNAL]: { title: 'Something went wrong', action: 'Try again. If it happens again, report it with the scene and the steps that led here.' },
};

export function plainError(e: unknown): PlainError | null {
  if (isCanceled(e)) return null;
  const code = (e as { code?: unknown })?.code;
  const message = e instanceof Error ? e.message : String(e);
  if ((e as { details?: { refused?: unknown } })?.details?.refused) {
    return { title: 'Not allowed here', detail: message, action: 'This server opens only the scenes it was started with or those below its --allow folders; pick one from the list, or restart `geosift serve` with the folder allowed.', code: (code as ErrorCode) ?? null };
  }
  const known = typeof code === 'string' ? ADVICE[code as ErrorCode] : undefined;
  if (known) return { title: known.title, detail: message, action: known.action, code: code as ErrorCode };
  return { title: 'Something went wrong', detail: message, action: ADVICE[ErrorCodes.INTERNAL]!.action, code: null };
}

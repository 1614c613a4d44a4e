// Export: a format picker and a button; the engine writes the file, the page saves it (dialog or download).
import { useState } from 'react';
import type { ExportFormatId } from '../../../../shared/protocol/engine-api.js';

const LABELS: Record<ExportFormatId, string> = { geojson: 'GeoJSON', fgb: 'FlatGeobuf', csv: 'CSV', cog: 'Class raster (COG)' };

export function ExportControl({ what, formats, onExport, testId }: { what: string; formats: ExportFormatId[]; onExport(format: ExportFormatId): Promise<void>; testId: string }) {
  const [format, setFormat] = useState<ExportFormatId>(formats[0]);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  return (
    <div className="export-row">
      <select value={format} onChange={(e) => setFormat(e.target.value as ExportFormatId)} aria-label={`Export ${what} as`} data-testid={`${testId}-format`}>
        {formats.map((f) => (
          <option key={f} value={f}>{LABELS[f]}</option>
        ))}
      </select>
      <button
        disabled={busy}
        data-testid={testId}
        onClick={async () => {
          setBusy(true);
          setDone(null);
          try {
            await onExport(format);
            setDone(`Exported ${what} as ${LABELS[format]}.`);
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? 'Exporting…' : `Export ${what}`}
      </button>
      {done && <span className="muted">{done}</span>}
    </div>
  );
}

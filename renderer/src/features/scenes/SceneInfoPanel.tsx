// What the scene is: CRS, size, bands, resolution, overviews, warnings.
import type { SceneInfo } from '../../../../shared/protocol/scene.js';

function bytes(n: number | null): string {
  if (n === null) return 'unknown';
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function SceneInfoPanel({ info, placementWarning }: { info: SceneInfo; placementWarning: string | null }) {
  const rows: Array<[string, string]> = [
    ['Source', info.source],
    ['Size', `${info.width.toLocaleString()} × ${info.height.toLocaleString()} px`],
    ['CRS', info.crs ? `${info.crs.name}${info.crs.epsg ? ` (EPSG:${info.crs.epsg})` : ''}` : 'none'],
    ['Resolution', info.groundResolutionM !== null ? `${info.groundResolutionM.toFixed(2)} m/px` : info.pixelSize ? `${info.pixelSize[0]} × ${info.pixelSize[1]} units/px` : 'unknown'],
    ['Bands', info.bands.map((b) => `${b.index + 1}${b.description ? ` ${b.description}` : ''} (${b.colorInterp})`).join(', ')],
    ['Data type', `${info.dataType}${info.nodata !== null ? `, nodata ${info.nodata}` : ''}${info.alphaBand !== null ? ', alpha' : ''}${info.hasMask ? ', mask' : ''}`],
    ['Overviews', info.overviews.length > 1 ? info.overviews.slice(1).map((o) => `${o.width}×${o.height}`).join(', ') : 'none'],
    ['Layout', `${info.tiled ? `tiled ${info.blockSize.join('×')}` : 'stripped'}, ${info.compression}${info.bigTiff ? ', BigTIFF' : ''}, ${bytes(info.fileSize)}`],
  ];
  if (info.boundsWgs84) rows.push(['Bounds', info.boundsWgs84.map((v) => v.toFixed(4)).join(', ')]);
  return (
    <section className="panel" aria-label="Scene information" data-testid="scene-info">
      <h2>Scene</h2>
      <dl className="info-grid">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd title={v}>{v}</dd>
          </div>
        ))}
      </dl>
      {[...(placementWarning ? [placementWarning] : []), ...info.warnings].map((w) => (
        <p key={w} className="warning">{w}</p>
      ))}
    </section>
  );
}

// Thumbnail of one hit, loaded lazily from the shared preview tiles.
import { useEffect, useState } from 'react';
import type { PixelWindow } from '../../../../shared/geo/types.js';
import type { SceneInfo } from '../../../../shared/protocol/scene.js';
import type { PreviewSource } from '../../map/preview-cache.js';
import { hitThumbnail } from './hit-thumbnail.js';

export function HitThumb({ previews, info, window: w }: { previews: PreviewSource; info: SceneInfo; window: PixelWindow }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setSrc(null);
    hitThumbnail(previews, info, w).then(
      (s) => live && setSrc(s),
      () => live && setSrc(null),
    );
    return () => {
      live = false;
    };
  }, [previews, info, w.x, w.y, w.width, w.height]);
  return src ? <img className="thumb" src={src} alt="" /> : <div className="thumb placeholder" />;
}

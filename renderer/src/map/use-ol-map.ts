// One OpenLayers map per component: created on mount into the given element, disposed on unmount.
import OlMap from 'ol/Map.js';
import { defaults as defaultControls } from 'ol/control/defaults.js';
import ScaleLine from 'ol/control/ScaleLine.js';
import View from 'ol/View.js';
import { useEffect, useRef, useState, type RefObject } from 'react';

export function useOlMap(): { targetRef: RefObject<HTMLDivElement | null>; map: OlMap | null } {
  const targetRef = useRef<HTMLDivElement | null>(null);
  const [map, setMap] = useState<OlMap | null>(null);
  useEffect(() => {
    if (!targetRef.current) return;
    const m = new OlMap({
      target: targetRef.current,
      controls: defaultControls({ attribution: true, rotate: false }).extend([new ScaleLine({ units: 'metric' })]),
      view: new View({ center: [0, 0], zoom: 2 }),
    });
    setMap(m);
    return () => {
      m.setTarget(undefined);
      m.dispose();
      setMap(null);
    };
  }, []);
  return { targetRef, map };
}

// The public sample scene one click away in the UI: a Cloud-Optimized GeoTIFF read over HTTP range requests.

export const SAMPLE_SCENE = {
  url: 'https://s3-us-west-2.amazonaws.com/planet-disaster-data/hurricane-harvey/SkySat_Freeport_s03_20170831T162740Z3.tif',
  title: 'Freeport, Texas, after Hurricane Harvey (Planet SkySat, 31 Aug 2017)',
  credit: 'Planet Labs disaster data, CC BY-SA 4.0',
} as const;

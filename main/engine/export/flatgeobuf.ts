// FlatGeobuf export (QGIS, GDAL): features through the flatgeobuf package, our own header so the provenance travels in it.
import * as flatbuffers from 'flatbuffers';
import { ColumnType } from 'flatgeobuf/lib/mjs/flat-geobuf/column-type.js';
import { Column } from 'flatgeobuf/lib/mjs/flat-geobuf/column.js';
import { Crs } from 'flatgeobuf/lib/mjs/flat-geobuf/crs.js';
import { GeometryType } from 'flatgeobuf/lib/mjs/flat-geobuf/geometry-type.js';
import { Header } from 'flatgeobuf/lib/mjs/flat-geobuf/header.js';
import { buildFeature } from 'flatgeobuf/lib/mjs/generic/feature.js';
import { parseGeometry } from 'flatgeobuf/lib/mjs/geojson/geometry.js';
import { magicbytes } from 'flatgeobuf/lib/mjs/constants.js';
import type { FeatureCollection } from '../../../shared/geo/types.js';
import { EngineError, ErrorCodes } from '../../../shared/protocol/errors.js';

export interface FlatGeobufOptions {
  /** EPSG code of the coordinates; 4326 for RFC 7946 GeoJSON (default). */
  epsg?: number;
  /** Layer title. */
  title?: string;
  /** Free text shown by readers that show it; we put the provenance JSON here too. */
  description?: string;
  /** JSON text stored in the header's metadata field. */
  metadata?: string;
}

interface ColumnDef {
  name: string;
  type: ColumnType;
}

/** Column types over ALL features (a null in the first feature must not decide a column's type). */
function inferColumns(fc: FeatureCollection): ColumnDef[] {
  const order: string[] = [];
  const kinds = new Map<string, Set<string>>();
  for (const f of fc.features) {
    for (const [k, v] of Object.entries(f.properties ?? {})) {
      if (!kinds.has(k)) {
        kinds.set(k, new Set());
        order.push(k);
      }
      if (v === null || v === undefined) continue;
      kinds.get(k)!.add(typeof v === 'number' ? (Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? 'int' : 'double') : typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'bool' : 'json');
    }
  }
  return order.map((name) => {
    const k = kinds.get(name)!;
    let type = ColumnType.String;
    if (k.size === 0) type = ColumnType.String;
    else if ([...k].every((x) => x === 'int')) type = ColumnType.Int;
    else if ([...k].every((x) => x === 'int' || x === 'double')) type = ColumnType.Double;
    else if ([...k].every((x) => x === 'bool')) type = ColumnType.Bool;
    else if ([...k].every((x) => x === 'string')) type = ColumnType.String;
    else type = ColumnType.Json;
    return { name, type };
  });
}

function geometryTypeOf(fc: FeatureCollection): GeometryType {
  const types = new Set(fc.features.map((f) => f.geometry?.type).filter((t): t is 'Polygon' | 'MultiPolygon' => !!t));
  if (types.size === 1) return types.has('Polygon') ? GeometryType.Polygon : GeometryType.MultiPolygon;
  return GeometryType.Unknown;
}

function buildHeader(columns: ColumnDef[], geometryType: GeometryType, count: number, o: FlatGeobufOptions): Uint8Array {
  const b = new flatbuffers.Builder(1024);
  const cols = columns.map((c) => {
    const name = b.createString(c.name);
    Column.startColumn(b);
    Column.addName(b, name);
    Column.addType(b, c.type);
    Column.addNullable(b, true);
    return Column.endColumn(b);
  });
  const colVec = Header.createColumnsVector(b, cols);
  const nameOff = b.createString('labels');
  const titleOff = o.title ? b.createString(o.title) : 0;
  const descOff = o.description ? b.createString(o.description) : 0;
  const metaOff = o.metadata ? b.createString(o.metadata) : 0;
  const crsOrg = b.createString('EPSG');
  Crs.startCrs(b);
  Crs.addOrg(b, crsOrg);
  Crs.addCode(b, o.epsg ?? 4326);
  const crsOff = Crs.endCrs(b);
  Header.startHeader(b);
  Header.addName(b, nameOff);
  Header.addGeometryType(b, geometryType);
  Header.addColumns(b, colVec);
  Header.addFeaturesCount(b, BigInt(count));
  Header.addIndexNodeSize(b, 0);
  Header.addCrs(b, crsOff);
  if (titleOff) Header.addTitle(b, titleOff);
  if (descOff) Header.addDescription(b, descOff);
  if (metaOff) Header.addMetadata(b, metaOff);
  b.finishSizePrefixed(Header.endHeader(b));
  return b.asUint8Array();
}

/** A FeatureCollection of (Multi)Polygons -> FlatGeobuf bytes. Properties become typed columns; arrays and objects JSON. */
export function featureCollectionToFlatGeobuf(fc: FeatureCollection, options: FlatGeobufOptions = {}): Uint8Array {
  let features = fc.features.filter((f) => f.geometry);
  // Polygons next to MultiPolygons (tiles split at the antimeridian): one layer type, each polygon a one-part MultiPolygon.
  if (features.some((f) => f.geometry!.type === 'MultiPolygon') && features.some((f) => f.geometry!.type === 'Polygon')) {
    features = features.map((f) => (f.geometry!.type === 'Polygon' ? { ...f, geometry: { type: 'MultiPolygon', coordinates: [f.geometry!.coordinates] } } : f));
  }
  if (features.length === 0) throw new EngineError(ErrorCodes.NOTHING_TO_DO, 'Nothing to write to FlatGeobuf: no feature has a geometry.');
  const columns = inferColumns(fc);
  const geometryType = geometryTypeOf({ ...fc, features });
  const headerMeta = {
    geometryType,
    columns: columns.map((c) => ({ name: c.name, type: c.type, title: null, description: null, width: -1, precision: -1, scale: -1, nullable: true, unique: false, primary_key: false })),
    envelope: null,
    featuresCount: features.length,
    indexNodeSize: 0,
    crs: null,
    title: null,
    description: null,
    metadata: null,
  };
  const header = buildHeader(columns, geometryType, features.length, options);
  const parts = features.map((f) => {
    const props: Record<string, unknown> = {};
    for (const c of columns) {
      const v = f.properties?.[c.name];
      props[c.name] = v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? null : v;
    }
    return buildFeature(parseGeometry(f.geometry as never), props as never, headerMeta as never);
  });
  const total = magicbytes.length + header.length + parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(total);
  out.set(magicbytes, 0);
  out.set(header, magicbytes.length);
  let off = magicbytes.length + header.length;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

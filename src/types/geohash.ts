// Redis 7.0's geohash (geohash.c, geohash_helper.c): the 52-bit interleaved score of a GEO member,
// its decoding to the centre of its cell, the standard 11-character geohash string, the haversine
// distances, and the search area of GEOSEARCH/GEORADIUS (the estimated step, the centre cell and
// its eight neighbours with Redis's edge-case adjustments, and each cell's score range).
//
// Invariant: every result is the double Redis computes, bit for bit: the arithmetic is ported in
// Redis's order (no reassociation, no fused operations), 64-bit integers are kept as two 32-bit
// halves (a score can exceed 2^53 at longitude 180), and C's conversions are emulated where they
// matter ((uint64_t)score in decodeGeohash, uint32 wrap-around of `ilato + 1`), and sin, cos and
// asin are correctly rounded as glibc's are (V8's fdlibm ones are not, see sinCR).

export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;

/** Redis's EARTH_RADIUS_IN_METERS: the quadratic mean radius of WGS-84, used by every distance. */
export const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
const D_R = Math.PI / 180.0;

const TWO_32 = 4294967296;

function degRad(ang: number): number {
  return ang * D_R;
}
function radDeg(ang: number): number {
  return ang / D_R;
}

// ---- bit interleaving (lat in the even bits, long in the odd ones, as interleave64) ----------------

/** The 16 low bits of x spread to the even positions of a 32-bit word. */
function spread16(x: number): number {
  x &= 0xffff;
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  x = (x | (x << 1)) & 0x55555555;
  return x;
}

/** The even bits of a 32-bit word gathered into 16 bits. */
function compact16(x: number): number {
  x &= 0x55555555;
  x = (x | (x >>> 1)) & 0x33333333;
  x = (x | (x >>> 2)) & 0x0f0f0f0f;
  x = (x | (x >>> 4)) & 0x00ff00ff;
  x = (x | (x >>> 8)) & 0x0000ffff;
  return x;
}

/** interleave64(lat, long) split in halves: out[0] = high 32 bits, out[1] = low 32 bits. */
function interleave(lat: number, lon: number, out: Float64Array): void {
  out[1] = (spread16(lat) | (spread16(lon) << 1)) >>> 0;
  out[0] = (spread16(lat >>> 16) | (spread16(lon >>> 16) << 1)) >>> 0;
}

const HALVES = new Float64Array(2);

// ---- encoding ---------------------------------------------------------------------------------------

/**
 * geohashEncode's fixed point: the cell index (0 .. 2^step) of `value` in [min, max], as the
 * uint32 conversion of `offset * 2^step` truncates it.
 */
function cellIndex(value: number, min: number, max: number, step: number): number {
  let offset = (value - min) / (max - min);
  offset *= 2 ** step;
  return Math.floor(offset);
}

/**
 * GEOADD's score: geohashEncodeWGS84(long, lat, 26) aligned to 52 bits, as the double ZADD
 * stores (a value above 2^53 rounds to the nearest double, as strtod does with the integer text
 * Redis passes to ZADD). The coordinates must be within the GEO limits (the commands check).
 */
export function geohashScore(lon: number, lat: number): number {
  interleave(
    cellIndex(lat, GEO_LAT_MIN, GEO_LAT_MAX, GEO_STEP_MAX),
    cellIndex(lon, GEO_LONG_MIN, GEO_LONG_MAX, GEO_STEP_MAX),
    HALVES,
  );
  return HALVES[0] * TWO_32 + HALVES[1];
}

// ---- decoding ---------------------------------------------------------------------------------------

/**
 * (uint64_t)score as gcc compiles it for x86-64 (cvttsd2si, with 2^63 subtracted first for
 * values at or above it): out[0] = high half, out[1] = low half. Geo scores are integers below
 * 2^54; other scores a zset may hold (ZADD key -1 m, 1.5, inf) decode as Redis decodes them.
 */
function scoreToUint64(score: number, out: Float64Array): void {
  let t: number;
  let hiBit = 0;
  if (score >= 9223372036854775808) {
    t = score - 9223372036854775808;
    if (!(t < 9223372036854775808)) {
      // cvttsd2si's "integer indefinite" 0x8000000000000000, xor-ed with the 2^63 bit: 0.
      out[0] = 0;
      out[1] = 0;
      return;
    }
    hiBit = 0x80000000;
  } else {
    t = score;
    if (!(t >= -9223372036854775808)) {
      out[0] = 0x80000000;
      out[1] = 0;
      return;
    }
  }
  t = Math.trunc(t);
  const hi = Math.floor(t / TWO_32);
  out[1] = t - hi * TWO_32;
  out[0] = ((hi >>> 0) ^ hiBit) >>> 0;
}

/** decodeGeohash: the centre of the score's step-26 cell, [long, lat], clamped to the limits. */
export function geohashDecode(score: number, xy: Float64Array | number[]): void {
  scoreToUint64(score, HALVES);
  const hi = HALVES[0];
  const lo = HALVES[1];
  const ilato = (compact16(lo) | (compact16(hi) << 16)) >>> 0;
  const ilono = (compact16(lo >>> 1) | (compact16(hi >>> 1) << 16)) >>> 0;
  const latScale = GEO_LAT_MAX - GEO_LAT_MIN;
  const longScale = GEO_LONG_MAX - GEO_LONG_MIN;
  const div = 67108864; // 1 << 26
  const latMin = GEO_LAT_MIN + (ilato / div) * latScale;
  const latMax = GEO_LAT_MIN + (((ilato + 1) >>> 0) / div) * latScale;
  const lonMin = GEO_LONG_MIN + (ilono / div) * longScale;
  const lonMax = GEO_LONG_MIN + (((ilono + 1) >>> 0) / div) * longScale;
  let x = (lonMin + lonMax) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  let y = (latMin + latMax) / 2;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  xy[0] = x;
  xy[1] = y;
}

const GEOALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';
const XY = new Float64Array(2);

/**
 * GEOHASH's string: the score decoded, re-encoded at step 26 with the standard latitude range
 * ±90 (Redis's own range is ±85.05112878), as 10 base-32 characters of 5 bits and a final '0'.
 */
export function geohashString(score: number): string {
  geohashDecode(score, XY);
  interleave(cellIndex(XY[1], -90, 90, 26), cellIndex(XY[0], -180, 180, 26), HALVES);
  const hi = HALVES[0];
  const lo = HALVES[1];
  let s = '';
  for (let i = 0; i < 10; i++) {
    const p = 52 - (i + 1) * 5;
    let idx: number;
    if (p >= 32) idx = (hi >>> (p - 32)) & 0x1f;
    else if (p + 5 <= 32) idx = (lo >>> p) & 0x1f;
    else idx = ((lo >>> p) | (hi << (32 - p))) & 0x1f;
    s += GEOALPHABET[idx];
  }
  return s + '0';
}

// ---- correctly rounded sin, cos, asin ----------------------------------------------------------------
//
// Redis's distances go through glibc's sin, cos and asin, which round correctly but for
// astronomically rare inputs; V8's Math.sin/cos/asin (fdlibm) are off by one ulp for a few
// percent of inputs, enough to change a STOREDIST score or a point on a search's edge. So these
// evaluate in double-double where it matters (argument reduction, the three lowest Taylor terms
// by compensated Horner) and round once: the error is ~2^-100, so the result is glibc's.

let ddHi = 0;
let ddLo = 0;

const SPLITTER = 134217729; // 2^27 + 1

/** a*b exactly as ddHi + ddLo (Dekker's product, no FMA in JS). */
function twoProd(a: number, b: number): void {
  const p = a * b;
  let c = SPLITTER * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLITTER * b;
  const bh = c - (c - b);
  const bl = b - bh;
  ddHi = p;
  ddLo = ah * bh - p + ah * bl + al * bh + al * bl;
}

/** 1/n! as a double-double [hi, lo]. */
function invFactorial(n: number): [number, number] {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  const hi = 1 / f;
  twoProd(hi, f);
  return [hi, (1 - ddHi - ddLo) / f];
}

// Taylor coefficients, highest first: sin(x)/x = sum (-1)^k z^k/(2k+1)!, cos x = sum (-1)^k z^k/(2k)!.
const SIN_C: number[] = [];
const COS_C: number[] = [];
for (let k = 0; k <= 12; k++) {
  SIN_C[k] = (k % 2 === 0 ? 1 : -1) * invFactorial(2 * k + 1)[0];
  COS_C[k] = (k % 2 === 0 ? 1 : -1) * invFactorial(2 * k)[0];
}
const SIN_C2_LO = invFactorial(5)[1];
const SIN_C1_LO = -invFactorial(3)[1];
const COS_C2_LO = invFactorial(4)[1];

/**
 * Horner of the series at z = zh + zl: plain for the small high-order terms, compensated
 * (Graillat) for the last three, leaving the sum in ddHi + ddLo.
 */
function series(c: number[], c2lo: number, c1lo: number, zh: number, zl: number): void {
  let p = c[12];
  for (let k = 11; k >= 3; k--) p = p * zh + c[k];
  let err = 0;
  for (let k = 2; k >= 0; k--) {
    twoProd(p, zh);
    const a = ddHi;
    const e1 = ddLo;
    const s = a + c[k];
    const bb = s - a;
    const e2 = a - (s - bb) + (c[k] - bb);
    err = err * zh + e1 + e2 + p * zl + (k === 2 ? c2lo : k === 1 ? c1lo : 0);
    p = s;
  }
  ddHi = p;
  ddLo = err;
}

/** sin(rh + rl) for |rh| <= pi/4, as ddHi + ddLo. */
function sinKernel(rh: number, rl: number): void {
  twoProd(rh, rh);
  const zh = ddHi;
  const zl = ddLo;
  series(SIN_C, SIN_C2_LO, SIN_C1_LO, zh, zl);
  const sh = ddHi;
  const sl = ddLo;
  twoProd(rh, sh);
  const h = ddHi;
  const lo = ddLo + rh * sl + (rl === 0 ? 0 : rl * Math.cos(rh));
  ddHi = h + lo;
  ddLo = lo - (ddHi - h);
}

/** cos(rh + rl) for |rh| <= pi/4, as ddHi + ddLo. */
function cosKernel(rh: number, rl: number): void {
  twoProd(rh, rh);
  const zh = ddHi;
  const zl = ddLo;
  series(COS_C, COS_C2_LO, 0, zh, zl);
  const h = ddHi;
  const lo = rl === 0 ? ddLo : ddLo - rl * Math.sin(rh);
  ddHi = h + lo;
  ddLo = lo - (ddHi - h);
}

const PIO2_HI = 1.5707963267948966;
const PIO2_LO = 6.123233995736766e-17;

/** sin (cos when `cos`) of x, |x| <= 2pi, as ddHi + ddLo. */
function sinCosDD(x: number, cos: boolean): void {
  const n = Math.round(x / PIO2_HI);
  let rh = x;
  let rl = 0;
  if (n !== 0) {
    const a = x - n * PIO2_HI; // exact for |n| <= 2 (Sterbenz)
    const b = -n * PIO2_LO;
    rh = a + b;
    rl = b - (rh - a);
  }
  const q = (((cos ? n + 1 : n) % 4) + 4) % 4;
  if (q === 0 || q === 2) sinKernel(rh, rl);
  else cosKernel(rh, rl);
  if (q >= 2) {
    ddHi = -ddHi;
    ddLo = -ddLo;
  }
}

/** sin(x), correctly rounded (|x| <= 2pi; larger arguments never occur here). */
export function sinCR(x: number): number {
  if (x === 0 || !(Math.abs(x) <= 6.5)) return Math.sin(x);
  sinCosDD(x, false);
  return ddHi;
}

/** cos(x), correctly rounded (|x| <= 2pi). */
export function cosCR(x: number): number {
  if (!(Math.abs(x) <= 6.5)) return Math.cos(x);
  sinCosDD(x, true);
  return ddHi;
}

/** asin(s) for s in [0, 1], correctly rounded: one Newton step from fdlibm's value in double-double. */
export function asinCR(s: number): number {
  const y0 = Math.asin(s);
  if (s === 0 || !(s < 1)) return y0;
  sinCosDD(y0, false);
  const delta = (s - ddHi - ddLo) / Math.cos(y0);
  return y0 + delta;
}

// ---- distances --------------------------------------------------------------------------------------

/** geohashGetLatDistance: the distance along a meridian (Redis 7.0.6+ shortcut). */
export function geohashGetLatDistance(lat1d: number, lat2d: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2d) - degRad(lat1d));
}

/** geohashGetDistance: haversine great-circle distance in meters. */
export function geohashGetDistance(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  const lon1r = degRad(lon1d);
  const lon2r = degRad(lon2d);
  const v = sinCR((lon2r - lon1r) / 2);
  if (v === 0.0) return geohashGetLatDistance(lat1d, lat2d);
  const lat1r = degRad(lat1d);
  const lat2r = degRad(lat2d);
  const u = sinCR((lat2r - lat1r) / 2);
  const a = u * u + cosCR(lat1r) * cosCR(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * asinCR(Math.sqrt(a));
}

// ---- search shapes and areas ------------------------------------------------------------------------

export const CIRCULAR_TYPE = 1;
export const RECTANGLE_TYPE = 2;

/** Redis's GeoShape: a centre, a radius or a box (in `conversion` units), and the unit's meters. */
export interface GeoShape {
  type: number;
  lon: number;
  lat: number;
  radius: number;
  width: number;
  height: number;
  conversion: number;
}

export function newShape(): GeoShape {
  return { type: 0, lon: 0, lat: 0, radius: 0, width: 0, height: 0, conversion: 1 };
}

/** geohashGetDistance with V8's libm: within a few ulps of the exact one, ~20x cheaper. */
function fastDistance(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  const v = Math.sin((degRad(lon2d) - degRad(lon1d)) / 2);
  const u = Math.sin((degRad(lat2d) - degRad(lat1d)) / 2);
  const a = u * u + Math.cos(degRad(lat1d)) * Math.cos(degRad(lat2d)) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/** A fast distance this far beyond a limit is beyond it exactly too (the libms differ by ulps). */
function surelyBeyond(fast: number, limit: number): boolean {
  return fast > limit * (1 + 1e-9) + 1e-6;
}

/**
 * geoWithinShape's test of a decoded point: the distance from the centre in meters, or -1 when
 * the point is outside (geohashGetDistanceIfInRadiusWGS84 / geohashGetDistanceIfInRectangle).
 */
export function distanceIfWithin(shape: GeoShape, x2: number, y2: number): number {
  const x1 = shape.lon;
  const y1 = shape.lat;
  // Most candidates of a search lie well outside the shape: they are rejected with the cheap
  // libm; the exact distance decides the points near the edge and gives those inside their value.
  if (shape.type === CIRCULAR_TYPE) {
    const radius = shape.radius * shape.conversion;
    if (surelyBeyond(fastDistance(x1, y1, x2, y2), radius)) return -1;
    const d = geohashGetDistance(x1, y1, x2, y2);
    return d > radius ? -1 : d;
  }
  const widthM = shape.width * shape.conversion;
  const heightM = shape.height * shape.conversion;
  const latDistance = geohashGetLatDistance(y2, y1);
  if (latDistance > heightM / 2) return -1;
  if (surelyBeyond(fastDistance(x2, y2, x1, y2), widthM / 2)) return -1;
  const lonDistance = geohashGetDistance(x2, y2, x1, y2);
  if (lonDistance > widthM / 2) return -1;
  return geohashGetDistance(x1, y1, x2, y2);
}

/** geohashEstimateStepsByRadius: the cell precision whose cells cover the radius. */
export function geohashEstimateStepsByRadius(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2; // Make sure range is included in most of the base cases.
  // Wider range towards the poles.
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/** geohashBoundingBox: [min long, min lat, max long, max lat] of the shape. */
export function geohashBoundingBox(shape: GeoShape, bounds: Float64Array | number[]): void {
  const longitude = shape.lon;
  const latitude = shape.lat;
  const circular = shape.type === CIRCULAR_TYPE;
  const height = shape.conversion * (circular ? shape.radius : shape.height / 2);
  const width = shape.conversion * (circular ? shape.radius : shape.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const longDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / cosCR(degRad(latitude + latDelta)));
  const longDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / cosCR(degRad(latitude - latDelta)));
  // The directions of the northern and southern hemispheres are opposite.
  const southern = latitude < 0;
  bounds[0] = southern ? longitude - longDeltaBottom : longitude - longDeltaTop;
  bounds[2] = southern ? longitude + longDeltaBottom : longitude + longDeltaTop;
  bounds[1] = latitude - latDelta;
  bounds[3] = latitude + latDelta;
}

/**
 * One cell of the search area at `step` precision: its latitude and longitude indexes (each
 * below 2^step, except the centre cell's, which is 2^step on the range's upper edge as in
 * Redis), or `zero` when Redis's GZERO removed it.
 */
export interface GeoCell {
  lat: number;
  lon: number;
  step: number;
  zero: boolean;
}

/** geohashDecode of one cell: [lat min, lat max, long min, long max] with Redis's uint32 wrap. */
function cellArea(lat: number, lon: number, step: number, out: Float64Array): void {
  const latScale = GEO_LAT_MAX - GEO_LAT_MIN;
  const longScale = GEO_LONG_MAX - GEO_LONG_MIN;
  const div = 2 ** step;
  out[0] = GEO_LAT_MIN + (lat / div) * latScale;
  out[1] = GEO_LAT_MIN + (((lat + 1) >>> 0) / div) * latScale;
  out[2] = GEO_LONG_MIN + (lon / div) * longScale;
  out[3] = GEO_LONG_MIN + (((lon + 1) >>> 0) / div) * longScale;
}

/** The neighbour order of membersOfAllNeighbors: self, N, S, E, W, NE, NW, SE, SW. */
const DLAT = [0, 1, -1, 0, 0, 1, 1, -1, -1];
const DLON = [0, 0, 0, 1, -1, 1, -1, 1, -1];

/** The search area: the nine cells in scan order, and the bounding box used to prune them. */
export interface GeoArea {
  readonly cells: GeoCell[];
  readonly bounds: Float64Array;
  step: number;
}

export function newArea(): GeoArea {
  const cells: GeoCell[] = [];
  for (let i = 0; i < 9; i++) cells.push({ lat: 0, lon: 0, step: 0, zero: false });
  return { cells, bounds: new Float64Array(4), step: 0 };
}

const AREA = new Float64Array(4);

/** geohash_move_x / geohash_move_y applied to the centre cell: indexes modulo 2^step. */
function setNeighbours(area: GeoArea, lat: number, lon: number, step: number): void {
  const mod = 2 ** step;
  for (let i = 0; i < 9; i++) {
    const c = area.cells[i];
    c.step = step;
    c.zero = false;
    // A move along one axis masks that axis to `step` bits and leaves the other as it was.
    c.lat = DLAT[i] === 0 ? lat : (((lat + DLAT[i]) % mod) + mod) % mod;
    c.lon = DLON[i] === 0 ? lon : (((lon + DLON[i]) % mod) + mod) % mod;
  }
}

/**
 * geohashCalculateAreasByShapeWGS84: the centre cell at the estimated step and its eight
 * neighbours, one step coarser when a neighbour does not reach the bounding box, and the
 * neighbours that lie wholly outside the box removed (from step 2 on).
 */
export function geohashCalculateAreas(shape: GeoShape, area: GeoArea): void {
  const b = area.bounds;
  geohashBoundingBox(shape, b);
  const minLon = b[0];
  const minLat = b[1];
  const maxLon = b[2];
  const maxLat = b[3];
  const longitude = shape.lon;
  const latitude = shape.lat;
  let radiusMeters =
    shape.type === CIRCULAR_TYPE ? shape.radius : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2));
  radiusMeters *= shape.conversion;

  let steps = geohashEstimateStepsByRadius(radiusMeters, latitude);
  let lat = cellIndex(latitude, GEO_LAT_MIN, GEO_LAT_MAX, steps);
  let lon = cellIndex(longitude, GEO_LONG_MIN, GEO_LONG_MAX, steps);
  setNeighbours(area, lat, lon, steps);

  // Is the step enough at the limits of the covered area?
  let decreaseStep = false;
  const cells = area.cells;
  cellArea(cells[1].lat, cells[1].lon, steps, AREA); // north
  if (AREA[1] < maxLat) decreaseStep = true;
  cellArea(cells[2].lat, cells[2].lon, steps, AREA); // south
  if (AREA[0] > minLat) decreaseStep = true;
  cellArea(cells[3].lat, cells[3].lon, steps, AREA); // east
  if (AREA[3] < maxLon) decreaseStep = true;
  cellArea(cells[4].lat, cells[4].lon, steps, AREA); // west
  if (AREA[2] > minLon) decreaseStep = true;

  if (steps > 1 && decreaseStep) {
    steps--;
    lat = cellIndex(latitude, GEO_LAT_MIN, GEO_LAT_MAX, steps);
    lon = cellIndex(longitude, GEO_LONG_MIN, GEO_LONG_MAX, steps);
    setNeighbours(area, lat, lon, steps);
  }
  area.step = steps;

  // Exclude the search areas that are useless.
  if (steps >= 2) {
    cellArea(lat, lon, steps, AREA);
    if (AREA[0] < minLat) {
      cells[2].zero = true; // south
      cells[8].zero = true; // south west
      cells[7].zero = true; // south east
    }
    if (AREA[1] > maxLat) {
      cells[1].zero = true; // north
      cells[5].zero = true; // north east
      cells[6].zero = true; // north west
    }
    if (AREA[2] < minLon) {
      cells[4].zero = true; // west
      cells[8].zero = true; // south west
      cells[6].zero = true; // north west
    }
    if (AREA[3] > maxLon) {
      cells[3].zero = true; // east
      cells[7].zero = true; // south east
      cells[5].zero = true; // north east
    }
  }
}

/**
 * scoresOfGeoHashBox: the scores [min, max) of the members inside a cell: the cell's bits
 * aligned to 52 bits, and the next value's (as doubles, like the zrangespec Redis builds).
 */
export function cellScoreRange(cell: GeoCell, out: Float64Array): void {
  interleave(cell.lat, cell.lon, HALVES);
  const hi = HALVES[0];
  const lo = HALVES[1];
  const scale = 2 ** (52 - cell.step * 2);
  // Exact below 2^53; at and above it each sum rounds once, as (double)uint64 does.
  out[0] = (hi * TWO_32 + lo) * scale;
  out[1] = (hi * TWO_32 + (lo + 1)) * scale;
}

/** True when the two cells are the same range (membersOfAllNeighbors skips repeats). */
export function sameCell(a: GeoCell, b: GeoCell): boolean {
  return a.lat === b.lat && a.lon === b.lon && a.step === b.step;
}

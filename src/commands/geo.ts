// Geospatial commands (Redis 7.0 geo.c): GEOADD GEODIST GEOHASH GEOPOS GEORADIUS GEORADIUS_RO
// GEORADIUSBYMEMBER GEORADIUSBYMEMBER_RO GEOSEARCH GEOSEARCHSTORE, over the sorted sets of
// types/zset-value.ts: a GEO key IS a zset whose scores are 52-bit geohashes (types/geohash.ts),
// so TYPE answers "zset" and every Z command works on it.
//
// Invariants: arguments are parsed and keys type-checked in Redis's order, so the same bad
// command gets the same error (the source key is looked up before any option is read; a missing
// GEORADIUSBYMEMBER source skips the member and radius entirely). Searches scan the cells in
// Redis's order (centre, N, S, E, W, NE, NW, SE, SW), so unsorted replies come in Redis's order;
// a sort of every match is stable as glibc's qsort (a merge sort) is, and a COUNT below the
// number of matches sorts with Redis's partial quicksort, so equidistant members are returned
// (and stored) in the order redis-server leaves them. Canonical mutations:
//   GEOADD → ZADD key <score> <member> ... of the members it added or moved, no options. Redis
//     itself rewrites GEOADD into ZADD; logging the computed scores (not GEOADD's coordinates)
//     keeps replay independent of the geohash code, and with only what changed the entry needs
//     neither NX/XX nor CH to replay to the same set. Nothing changed → nothing logged.
//   GEORADIUS/GEORADIUSBYMEMBER ... STORE|STOREDIST and GEOSEARCHSTORE → [DEL dst] + ZADD dst of
//     the stored scores (geohashes or distances, "%.17g" text that reads back to the same
//     double), as one atomic group; an empty result that deleted dst → DEL dst.
//
// The hot path (GEOSEARCH over a large set) allocates no closure: one module-level visitor
// collects the points of each scanned cell into module-level arrays reset per command.

import { readOfType, writeOfType } from './lookup.js';
import { def } from './table.js';
import { storeResult } from './zsets.js';
import { E } from './errors.js';
import type { CommandContext, CommandSpec } from './types.js';
import { ZSetValue } from '../types/zset-value.js';
import type { ScoreRange } from '../types/zset-range.js';
import {
  CIRCULAR_TYPE,
  GEO_LAT_MAX,
  GEO_LAT_MIN,
  GEO_LONG_MAX,
  GEO_LONG_MIN,
  RECTANGLE_TYPE,
  cellScoreRange,
  distanceIfWithin,
  geohashCalculateAreas,
  geohashDecode,
  geohashGetDistance,
  geohashScore,
  geohashString,
  newArea,
  newShape,
  sameCell,
  type GeoShape,
} from '../types/geohash.js';
import { formatLongDouble, formatScore, longDoubleFromNumber, parseFloatStrict, parseInt64 } from '../util/numbers.js';
import { NOTIFY } from '../config.js';
import { pqsort } from '../util/pqsort.js';

/** Redis 7.0's geo error replies (geo.c), with their exact text. */
export const GEO_ERR = {
  UNIT: 'ERR unsupported unit provided. please use M, KM, FT, MI',
  NEED_RADIUS: 'ERR need numeric radius',
  NEED_WIDTH: 'ERR need numeric width',
  NEED_HEIGHT: 'ERR need numeric height',
  RADIUS_NEGATIVE: 'ERR radius cannot be negative',
  BOX_NEGATIVE: 'ERR height or width cannot be negative',
  MEMBER_DECODE: 'ERR could not decode requested zset member',
  COUNT_POSITIVE: 'ERR COUNT must be > 0',
  ANY_NEEDS_COUNT: 'ERR the ANY argument requires COUNT argument',
  STORE_WITH: 'ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options',
  SEARCHSTORE_WITH: 'ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options',
  fromRequired: (cmd: string) => `ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${cmd}`,
  byRequired: (cmd: string) => `ERR exactly one of BYRADIUS and BYBOX can be specified for ${cmd}`,
  lonLatPair: (lon: number, lat: number) => `ERR invalid longitude,latitude pair ${formatFixed(lon, 6)},${formatFixed(lat, 6)}`,
} as const;

// ---- number formatting ---------------------------------------------------------------------------

/**
 * printf "%.<digits>f" of a double, exactly (glibc prints the exact binary value rounded half to
 * even): "inf", "-inf", "-0.000000" as C does. For error texts only (BigInt arithmetic).
 */
export function formatFixed(d: number, digits: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (d !== d) return 'nan';
  const v = longDoubleFromNumber(d);
  const p10 = 10n ** BigInt(digits);
  let q: bigint;
  if (v.e >= 0) q = (v.m << BigInt(v.e)) * p10;
  else {
    const sh = BigInt(-v.e);
    const n = v.m * p10;
    q = n >> sh;
    const rem = n - (q << sh);
    const half = 1n << (sh - 1n);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
  }
  const ip = q / p10;
  const fp = (q - ip * p10).toString().padStart(digits, '0');
  return (v.neg ? '-' : '') + ip.toString() + (digits > 0 ? '.' + fp : '');
}

/**
 * addReplyDoubleDistance (Redis 7.0.7+ fixedpoint_d2string(d, 4)): llrint(d * 10^4), half to
 * even on the rounded product, then the integer and four fractional digits.
 */
export function formatDistance(d: number): string {
  if (d === 0) return '0.0000';
  const v = d * 10000;
  let r = Math.floor(v);
  const diff = v - r;
  if (diff > 0.5 || (diff === 0.5 && r % 2 !== 0)) r += 1;
  const neg = r < 0;
  if (neg) r = -r;
  const ip = Math.floor(r / 10000);
  const fp = r - ip * 10000;
  const f = fp < 10 ? '000' + fp : fp < 100 ? '00' + fp : fp < 1000 ? '0' + fp : String(fp);
  return (neg ? '-' : '') + ip + '.' + f;
}

/** addReplyHumanLongDouble's text of a coordinate: "%.17Lf" with trailing zeros removed. */
function formatCoord(d: number): string {
  return formatLongDouble(d);
}

// ---- argument helpers ----------------------------------------------------------------------------

const XY = new Float64Array(2);

/** extractLongLatOrReply: argv[i], argv[i+1] into XY; false after replying an error. */
function extractLongLat(c: CommandContext, argv: string[], i: number): boolean {
  const lon = parseFloatStrict(argv[i]);
  if (lon === null) {
    c.reply.error(E.NOT_FLOAT);
    return false;
  }
  const lat = parseFloatStrict(argv[i + 1]);
  if (lat === null) {
    c.reply.error(E.NOT_FLOAT);
    return false;
  }
  if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX) {
    c.reply.error(GEO_ERR.lonLatPair(lon, lat));
    return false;
  }
  XY[0] = lon;
  XY[1] = lat;
  return true;
}

/** extractUnitOrReply: meters per unit, or -1 after replying the error. */
function extractUnit(c: CommandContext, u: string): number {
  if (u.length <= 2) {
    const l = u.toLowerCase();
    if (l === 'm') return 1;
    if (l === 'km') return 1000;
    if (l === 'ft') return 0.3048;
    if (l === 'mi') return 1609.34;
  }
  c.reply.error(GEO_ERR.UNIT);
  return -1;
}

/** extractDistanceOrReply into shape.radius / shape.conversion; false after an error. */
function extractDistance(c: CommandContext, argv: string[], i: number, shape: GeoShape): boolean {
  const d = parseFloatStrict(argv[i]);
  if (d === null) {
    c.reply.error(GEO_ERR.NEED_RADIUS);
    return false;
  }
  if (d < 0) {
    c.reply.error(GEO_ERR.RADIUS_NEGATIVE);
    return false;
  }
  shape.radius = d;
  const toMeters = extractUnit(c, argv[i + 1]);
  if (toMeters < 0) return false;
  shape.conversion = toMeters;
  return true;
}

/** extractBoxOrReply into shape.width / height / conversion; false after an error. */
function extractBox(c: CommandContext, argv: string[], i: number, shape: GeoShape): boolean {
  const w = parseFloatStrict(argv[i]);
  if (w === null) {
    c.reply.error(GEO_ERR.NEED_WIDTH);
    return false;
  }
  const h = parseFloatStrict(argv[i + 1]);
  if (h === null) {
    c.reply.error(GEO_ERR.NEED_HEIGHT);
    return false;
  }
  if (h < 0 || w < 0) {
    c.reply.error(GEO_ERR.BOX_NEGATIVE);
    return false;
  }
  shape.width = w;
  shape.height = h;
  const toMeters = extractUnit(c, argv[i + 2]);
  if (toMeters < 0) return false;
  shape.conversion = toMeters;
  return true;
}

/** longLatFromMember: the member's decoded position into XY; false when it is not in the set. */
function longLatFromMember(z: ZSetValue, member: string): boolean {
  const s = z.score(member);
  if (s === undefined) return false;
  geohashDecode(s, XY);
  return true;
}

// ---- GEOADD -----------------------------------------------------------------------------------------

const ADD_SCORES: number[] = [];

function geoadd(c: CommandContext, argv: string[]): void {
  const argc = argv.length;
  let xx = false;
  let nx = false;
  let ch = false;
  let longidx = 2;
  while (longidx < argc) {
    const o = argv[longidx];
    if (o.length !== 2) break;
    const l = o.toLowerCase();
    if (l === 'nx') nx = true;
    else if (l === 'xx') xx = true;
    else if (l === 'ch') ch = true;
    else break;
    longidx++;
  }
  const rest = argc - longidx;
  // Zero elements passes geo.c's check and fails in the ZADD it becomes, with the same reply.
  if (rest % 3 !== 0 || (xx && nx) || rest === 0) return c.reply.error(E.SYNTAX);
  const elements = rest / 3;
  ADD_SCORES.length = elements;
  for (let i = 0; i < elements; i++) {
    if (!extractLongLat(c, argv, longidx + i * 3)) return;
    ADD_SCORES[i] = geohashScore(XY[0], XY[1]);
  }
  const key = argv[1];
  let z = writeOfType(c, key, ZSetValue);
  if (z === undefined) return;
  if (z === null) {
    if (xx) return c.reply.int(0);
    z = new ZSetValue();
    c.db.add(key, z);
    c.server.blocking.signalKeyAsReady(c.dbIndex, key);
  }
  const cfg = c.server.config;
  let added = 0;
  let updated = 0;
  let changes: string[] | null = null;
  for (let i = 0; i < elements; i++) {
    const member = argv[longidx + i * 3 + 2];
    const score = ADD_SCORES[i];
    const cur = z.score(member);
    if (cur !== undefined) {
      if (nx || score === cur) continue;
      z.update(member, score, cur, cfg);
      updated++;
    } else {
      if (xx) continue;
      z.add(member, score, cfg);
      added++;
    }
    (changes ??= ['ZADD', key]).push(formatScore(score), member);
  }
  if (changes !== null) {
    c.notify(NOTIFY.ZSET, 'zadd', key);
    c.propagate(changes);
  }
  c.reply.int(ch ? added + updated : added);
}

// ---- GEOPOS GEOHASH GEODIST ---------------------------------------------------------------------------

function geopos(c: CommandContext, argv: string[]): void {
  const z = readOfType(c, argv[1], ZSetValue);
  if (z === undefined) return;
  const r = c.reply;
  r.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const s = z === null ? undefined : z.score(argv[j]);
    if (s === undefined) {
      r.nullArray();
      continue;
    }
    geohashDecode(s, XY);
    r.array(2);
    r.double(formatCoord(XY[0]));
    r.double(formatCoord(XY[1]));
  }
}

function geohash(c: CommandContext, argv: string[]): void {
  const z = readOfType(c, argv[1], ZSetValue);
  if (z === undefined) return;
  const r = c.reply;
  r.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const s = z === null ? undefined : z.score(argv[j]);
    if (s === undefined) r.nullBulk();
    else r.bulk(geohashString(s));
  }
}

function geodist(c: CommandContext, argv: string[]): void {
  let toMeter = 1;
  if (argv.length === 5) {
    toMeter = extractUnit(c, argv[4]);
    if (toMeter < 0) return;
  } else if (argv.length > 5) {
    return c.reply.error(E.SYNTAX);
  }
  const z = readOfType(c, argv[1], ZSetValue);
  if (z === undefined) return;
  if (z === null) return c.reply.nullBulk();
  const s1 = z.score(argv[2]);
  const s2 = s1 === undefined ? undefined : z.score(argv[3]);
  if (s1 === undefined || s2 === undefined) return c.reply.nullBulk();
  geohashDecode(s1, XY);
  const lon1 = XY[0];
  const lat1 = XY[1];
  geohashDecode(s2, XY);
  c.reply.bulk(formatDistance(geohashGetDistance(lon1, lat1, XY[0], XY[1]) / toMeter));
}

// ---- the search (georadiusGeneric) -----------------------------------------------------------------------

const RADIUS_COORDS = 1;
const RADIUS_MEMBER = 2;
const RADIUS_NOSTORE = 4;
const GEOSEARCH = 8;
const GEOSEARCHSTORE = 16;

const SORT_NONE = 0;
const SORT_ASC = 1;
const SORT_DESC = 2;

// The geoArray of one search: parallel arrays, reset by each command.
const GA_MEMBER: string[] = [];
const GA_SCORE: number[] = [];
const GA_DIST: number[] = [];
const GA_LON: number[] = [];
const GA_LAT: number[] = [];
let gaUsed = 0;
let gaLimit = 0;
let gaVisited = 0;
let gaShape: GeoShape = newShape();

function gaReset(shape: GeoShape, limit: number): void {
  gaUsed = 0;
  gaLimit = limit;
  gaShape = shape;
  GA_MEMBER.length = 0;
  GA_SCORE.length = 0;
  GA_DIST.length = 0;
  GA_LON.length = 0;
  GA_LAT.length = 0;
}

const PT = new Float64Array(2);

/** geoGetPointsInRange's loop body: one member of a scanned cell (geoWithinShape + append). */
function cellVisitor(member: string, score: number): void {
  gaVisited++;
  // Under ANY, Redis stops the scan once `limit` points are in: the rest of a chunk is ignored.
  if (gaLimit !== 0 && gaUsed >= gaLimit) return;
  geohashDecode(score, PT);
  const d = distanceIfWithin(gaShape, PT[0], PT[1]);
  if (d < 0) return;
  const i = gaUsed++;
  GA_MEMBER[i] = member;
  GA_SCORE[i] = score;
  GA_DIST[i] = d;
  GA_LON[i] = PT[0];
  GA_LAT[i] = PT[1];
}

const RANGE: ScoreRange = { min: 0, max: 0, minex: false, maxex: true };
const CELL_RANGE = new Float64Array(2);
const AREA = newArea();

/** membersOfAllNeighbors: scans the nine cells in Redis's order, skipping removed and repeated ones. */
function membersOfAllNeighbors(z: ZSetValue, shape: GeoShape, limit: number): void {
  geohashCalculateAreas(shape, AREA);
  gaReset(shape, limit);
  const cells = AREA.cells;
  let lastProcessed = 0;
  for (let i = 0; i < 9; i++) {
    const cell = cells[i];
    if (cell.zero) continue;
    // Huge radii make adjacent neighbours equal; Redis compares with the last scanned one only
    // (and, its index being 0 until a neighbour is scanned, never with the centre).
    if (lastProcessed !== 0 && sameCell(cell, cells[lastProcessed])) continue;
    if (gaUsed !== 0 && limit !== 0 && gaUsed >= limit) break;
    cellScoreRange(cell, CELL_RANGE);
    RANGE.min = CELL_RANGE[0];
    RANGE.max = CELL_RANGE[1];
    if (limit === 0) {
      z.rangeByScore(RANGE, false, 0, -1, cellVisitor);
    } else {
      // ANY: walk in growing chunks so a big cell is not read to its end after the last point.
      let offset = 0;
      let chunk = 64;
      for (;;) {
        gaVisited = 0;
        z.rangeByScore(RANGE, false, offset, chunk, cellVisitor);
        if (gaVisited < chunk || gaUsed >= limit) break;
        offset += chunk;
        if (chunk < 8192) chunk *= 2;
      }
    }
    lastProcessed = i;
  }
}

let ORDER: number[] = [];

function byDistAsc(a: number, b: number): number {
  const da = GA_DIST[a];
  const db = GA_DIST[b];
  return da > db ? 1 : da === db ? 0 : -1;
}

function byDistDesc(a: number, b: number): number {
  const da = GA_DIST[a];
  const db = GA_DIST[b];
  return da > db ? -1 : da === db ? 0 : 1;
}

const SHAPE = newShape();

function georadiusGeneric(c: CommandContext, argv: string[], srcKeyIndex: number, flags: number): void {
  const argc = argv.length;
  let storekey: string | null = null;
  let storedist = false;
  const z = readOfType(c, argv[srcKeyIndex], ZSetValue);
  if (z === undefined) return;

  const shape = SHAPE;
  shape.type = 0;
  shape.lon = 0;
  shape.lat = 0;
  shape.radius = 0;
  shape.width = 0;
  shape.height = 0;
  shape.conversion = 0;
  let baseArgs: number;
  if (flags & RADIUS_COORDS) {
    baseArgs = 6;
    shape.type = CIRCULAR_TYPE;
    if (!extractLongLat(c, argv, 2)) return;
    shape.lon = XY[0];
    shape.lat = XY[1];
    if (!extractDistance(c, argv, baseArgs - 2, shape)) return;
  } else if (flags & RADIUS_MEMBER && z === null) {
    // No source key: the options are still parsed, to know which empty reply to give.
    baseArgs = 5;
  } else if (flags & RADIUS_MEMBER) {
    baseArgs = 5;
    shape.type = CIRCULAR_TYPE;
    if (!longLatFromMember(z as ZSetValue, argv[2])) return c.reply.error(GEO_ERR.MEMBER_DECODE);
    shape.lon = XY[0];
    shape.lat = XY[1];
    if (!extractDistance(c, argv, baseArgs - 2, shape)) return;
  } else {
    baseArgs = 2;
    if (flags & GEOSEARCHSTORE) {
      baseArgs = 3;
      storekey = argv[1];
    }
  }

  let withdist = false;
  let withhash = false;
  let withcoords = false;
  let frommember = false;
  let fromloc = false;
  let byradius = false;
  let bybox = false;
  let sort = SORT_NONE;
  let any = false;
  let count = 0;
  const remaining = argc - baseArgs;
  for (let i = 0; i < remaining; i++) {
    const arg = argv[baseArgs + i].toLowerCase();
    if (arg === 'withdist') {
      withdist = true;
    } else if (arg === 'withhash') {
      withhash = true;
    } else if (arg === 'withcoord') {
      withcoords = true;
    } else if (arg === 'any') {
      any = true;
    } else if (arg === 'asc') {
      sort = SORT_ASC;
    } else if (arg === 'desc') {
      sort = SORT_DESC;
    } else if (arg === 'count' && i + 1 < remaining) {
      const n = parseInt64(argv[baseArgs + i + 1]);
      if (n === null) return c.reply.error(E.NOT_INTEGER);
      if (n <= 0) return c.reply.error(GEO_ERR.COUNT_POSITIVE);
      count = Number(n);
      i++;
    } else if (arg === 'store' && i + 1 < remaining && !(flags & RADIUS_NOSTORE) && !(flags & GEOSEARCH)) {
      storekey = argv[baseArgs + i + 1];
      storedist = false;
      i++;
    } else if (arg === 'storedist' && i + 1 < remaining && !(flags & RADIUS_NOSTORE) && !(flags & GEOSEARCH)) {
      storekey = argv[baseArgs + i + 1];
      storedist = true;
      i++;
    } else if (arg === 'storedist' && flags & GEOSEARCH && flags & GEOSEARCHSTORE) {
      storedist = true;
    } else if (arg === 'frommember' && i + 1 < remaining && flags & GEOSEARCH && !fromloc) {
      // No source key: go on parsing, the empty reply comes once the options are checked.
      if (z !== null) {
        if (!longLatFromMember(z, argv[baseArgs + i + 1])) return c.reply.error(GEO_ERR.MEMBER_DECODE);
        shape.lon = XY[0];
        shape.lat = XY[1];
      }
      frommember = true;
      i++;
    } else if (arg === 'fromlonlat' && i + 2 < remaining && flags & GEOSEARCH && !frommember) {
      if (!extractLongLat(c, argv, baseArgs + i + 1)) return;
      shape.lon = XY[0];
      shape.lat = XY[1];
      fromloc = true;
      i += 2;
    } else if (arg === 'byradius' && i + 2 < remaining && flags & GEOSEARCH && !bybox) {
      if (!extractDistance(c, argv, baseArgs + i + 1, shape)) return;
      shape.type = CIRCULAR_TYPE;
      byradius = true;
      i += 2;
    } else if (arg === 'bybox' && i + 3 < remaining && flags & GEOSEARCH && !byradius) {
      if (!extractBox(c, argv, baseArgs + i + 1, shape)) return;
      shape.type = RECTANGLE_TYPE;
      bybox = true;
      i += 3;
    } else {
      return c.reply.error(E.SYNTAX);
    }
  }

  if (storekey !== null && (withdist || withhash || withcoords)) {
    return c.reply.error(flags & GEOSEARCHSTORE ? GEO_ERR.SEARCHSTORE_WITH : GEO_ERR.STORE_WITH);
  }
  if (flags & GEOSEARCH && !(frommember || fromloc)) return c.reply.error(GEO_ERR.fromRequired(argv[0]));
  if (flags & GEOSEARCH && !(byradius || bybox)) return c.reply.error(GEO_ERR.byRequired(argv[0]));
  if (any && count === 0) return c.reply.error(GEO_ERR.ANY_NEEDS_COUNT);

  const storeEvent = flags & GEOSEARCH ? 'geosearchstore' : 'georadiusstore';
  if (z === null) {
    if (storekey !== null) storeResult(c, storeEvent, storekey, null);
    else c.reply.array(0);
    return;
  }

  // COUNT means the nearest N: it implies ASC, unless ANY asked for whichever come first.
  if (count !== 0 && sort === SORT_NONE && !any) sort = SORT_ASC;

  membersOfAllNeighbors(z, shape, any ? count : 0);
  const used = gaUsed;
  if (used === 0 && storekey === null) return c.reply.array(0);
  const returned = count === 0 || used < count ? used : count;

  if (ORDER.length < used) ORDER = new Array<number>(used);
  const order = ORDER;
  order.length = used;
  for (let i = 0; i < used; i++) order[i] = i;
  if (sort !== SORT_NONE) {
    const cmp = sort === SORT_ASC ? byDistAsc : byDistDesc;
    if (returned === used) order.sort(cmp);
    else pqsort(order, used, cmp, 0, returned - 1);
  }

  const conversion = shape.conversion;
  if (storekey === null) {
    const r = c.reply;
    const optionLength = (withdist ? 1 : 0) + (withcoords ? 1 : 0) + (withhash ? 1 : 0);
    r.array(returned);
    for (let i = 0; i < returned; i++) {
      const k = order[i];
      if (optionLength !== 0) r.array(optionLength + 1);
      r.bulk(GA_MEMBER[k]);
      if (withdist) r.bulk(formatDistance(GA_DIST[k] / conversion));
      // addReplyLongLong(gp->score): scores found in a cell are integers below 2^53.
      if (withhash) r.int(Math.trunc(GA_SCORE[k]));
      if (withcoords) {
        r.array(2);
        r.double(formatCoord(GA_LON[k]));
        r.double(formatCoord(GA_LAT[k]));
      }
    }
    gaReset(shape, 0);
    return;
  }
  let result: ZSetValue | null = null;
  if (returned > 0) {
    const pairs: Array<[string, number]> = new Array(returned);
    for (let i = 0; i < returned; i++) {
      const k = order[i];
      pairs[i] = [GA_MEMBER[k], storedist ? GA_DIST[k] / conversion : GA_SCORE[k]];
    }
    // Members of a listpack source are substrings of its packed string: a skiplist result copies them.
    result = ZSetValue.from(pairs, c.server.config, !z.big);
  }
  gaReset(shape, 0);
  storeResult(c, storeEvent, storekey, result);
}

function georadius(c: CommandContext, argv: string[]): void {
  georadiusGeneric(c, argv, 1, RADIUS_COORDS);
}
function georadiusbymember(c: CommandContext, argv: string[]): void {
  georadiusGeneric(c, argv, 1, RADIUS_MEMBER);
}
function georadiusRo(c: CommandContext, argv: string[]): void {
  georadiusGeneric(c, argv, 1, RADIUS_COORDS | RADIUS_NOSTORE);
}
function georadiusbymemberRo(c: CommandContext, argv: string[]): void {
  georadiusGeneric(c, argv, 1, RADIUS_MEMBER | RADIUS_NOSTORE);
}
function geosearch(c: CommandContext, argv: string[]): void {
  georadiusGeneric(c, argv, 1, GEOSEARCH);
}
function geosearchstore(c: CommandContext, argv: string[]): void {
  georadiusGeneric(c, argv, 2, GEOSEARCH | GEOSEARCHSTORE);
}

// ---- key positions ----------------------------------------------------------------------------------

/**
 * GEORADIUS's and GEORADIUSBYMEMBER's keys as redis-server 7.0's COMMAND GETKEYS finds them from
 * its key specs: the source (index 1), then the key after the first STORE keyword at or after
 * `startfrom` (6, or 5 for BYMEMBER), then the one after the first STOREDIST (a keyword in the
 * last position has no key after it and is not matched).
 */
function radiusKeys(argv: readonly string[], startfrom: number): number[] {
  const keys = [1];
  const end = argv.length - 1;
  for (let i = startfrom; i < end; i++) {
    if (argv[i].toLowerCase() === 'store') {
      keys.push(i + 1);
      break;
    }
  }
  for (let i = startfrom; i < end; i++) {
    if (argv[i].toLowerCase() === 'storedist') {
      keys.push(i + 1);
      break;
    }
  }
  return keys;
}

function georadiusKeys(argv: readonly string[]): number[] {
  return radiusKeys(argv, 6);
}

function georadiusbymemberKeys(argv: readonly string[]): number[] {
  return radiusKeys(argv, 5);
}

export const geoCommands: CommandSpec[] = [
  def('geoadd', -5, 'write denyoom', [1, 1, 1], '@geo', geoadd),
  def('geodist', -4, 'readonly', [1, 1, 1], '@geo', geodist),
  def('geohash', -2, 'readonly', [1, 1, 1], '@geo', geohash),
  def('geopos', -2, 'readonly', [1, 1, 1], '@geo', geopos),
  def('georadius', -6, 'write denyoom movablekeys', [1, 1, 1], '@geo', georadius, { getKeys: georadiusKeys }),
  def('georadius_ro', -6, 'readonly', [1, 1, 1], '@geo', georadiusRo),
  def('georadiusbymember', -5, 'write denyoom movablekeys', [1, 1, 1], '@geo', georadiusbymember, { getKeys: georadiusbymemberKeys }),
  def('georadiusbymember_ro', -5, 'readonly', [1, 1, 1], '@geo', georadiusbymemberRo),
  def('geosearch', -7, 'readonly', [1, 1, 1], '@geo', geosearch),
  def('geosearchstore', -8, 'write denyoom', [1, 2, 1], '@geo', geosearchstore),
];

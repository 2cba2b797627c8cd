// types/geohash.ts against redis-server 7.0.15: every literal below is what a real redis-server
// 7.0.15 answered (GEOADD then ZSCORE for the 52-bit score, GEOPOS for the decoded cell centre,
// GEOHASH for the string, GEODIST / GEOSEARCHSTORE ... STOREDIST for distances), including the
// limits (±180, ±85.05112878, 0,0) and scores no GEOADD makes (-1, 1.5, 1e20, ±inf).

import { describe, it, expect } from 'vitest';
import {
  asinCR,
  cellScoreRange,
  cosCR,
  geohashCalculateAreas,
  geohashDecode,
  geohashEstimateStepsByRadius,
  geohashGetDistance,
  geohashScore,
  geohashString,
  newArea,
  newShape,
  sinCR,
  CIRCULAR_TYPE,
} from '../../../src/types/geohash.js';
import { formatLongDouble } from '../../../src/util/numbers.js';
import { formatDistance, formatFixed } from '../../../src/commands/geo.js';

/** [long, lat] as GEOPOS prints them (addReplyHumanLongDouble). */
function pos(score: number): [string, string] {
  const xy = new Float64Array(2);
  geohashDecode(score, xy);
  return [formatLongDouble(xy[0]), formatLongDouble(xy[1])];
}

// [long, lat as typed to GEOADD, ZSCORE, GEOPOS long, GEOPOS lat, GEOHASH] from redis-server 7.0.15.
const POINTS: Array<[number, number, number, string, string, string]> = [
  [13.361389, 38.115556, 3479099956230698, '13.36138933897018433', '38.11555639549629859', 'sqc8b49rny0'],
  [15.087269, 37.502669, 3479447370796909, '15.08726745843887329', '37.50266842333162032', 'sqdtr74hyu0'],
  [180, 85.05112878, 13510798882111488, '180', '85.0511287799999991', 'bp05b5048p0'],
  [-180, -85.05112878, 0, '-179.99999731779098511', '-85.05112751263942528', '00bh0hbj200'],
  [0, 0, 3377699720527872, '0.00000268220901489', '0.00000126736058093', 's0000000000'],
  [180, -85.05112878, 9007199254740992, '180', '-85.05112751263942528', '00bh0hbj200'],
  [-180, 85.05112878, 4503599627370496, '-179.99999731779098511', '85.0511287799999991', 'bp05b5048p0'],
  [179.9999999, 0, 4128299658422954, '179.99999731779098511', '0.00000126736058093', 'xbpbpbpbpb0'],
  [-0.0000001, 0.0000001, 1876499844737706, '-0.00000268220901489', '0.00000126736058093', 'ebpbpbpbpb0'],
];

describe('geohash encode / decode / string', () => {
  it('GEOADD scores, GEOPOS centres and GEOHASH strings are redis-server 7.0.15s', () => {
    for (const [lon, lat, score, plon, plat, hash] of POINTS) {
      expect([lon, lat, geohashScore(lon, lat)]).toEqual([lon, lat, score]);
      expect([score, pos(score)]).toEqual([score, [plon, plat]]);
      expect([score, geohashString(score)]).toEqual([score, hash]);
    }
  });

  it('decodes the scores GEOADD never makes as redis-server does ((uint64_t) of the double)', () => {
    // ZADD e -1 n1 1.5 n2 1e20 n3 inf n6 -inf n7 0.5 n8, then GEOPOS / GEOHASH on redis-server.
    expect(pos(-1)).toEqual(['180', '85.0511287799999991']);
    expect(geohashString(-1)).toBe('bp05b5048p0');
    expect(pos(1.5)).toEqual(['-179.99999731779098511', '-85.05112497791824921']);
    expect(geohashString(1.5)).toBe('00bh0hbj210');
    for (const s of [1e20, Infinity, 0.5]) expect(pos(s)).toEqual(['-179.99999731779098511', '-85.05112751263942528']);
    expect(pos(-Infinity)).toEqual(['180', '-85.05112751263942528']);
    expect(pos(9007199254740993)).toEqual(['180', '-85.05112751263942528']);
  });

  it('a point re-encodes to its own score after decoding (the cell centre is inside the cell)', () => {
    const xy = new Float64Array(2);
    for (const [, , score] of POINTS) {
      geohashDecode(score, xy);
      if (Math.abs(xy[0]) < 180 && Math.abs(xy[1]) < 85.0511) expect(geohashScore(xy[0], xy[1])).toBe(score);
    }
  });
});

describe('distances', () => {
  it('matches GEODIST on redis-server 7.0.15 (Palermo-Catania in every unit)', () => {
    const xy = new Float64Array(2);
    geohashDecode(3479099956230698, xy);
    const [x1, y1] = [xy[0], xy[1]];
    geohashDecode(3479447370796909, xy);
    const d = geohashGetDistance(x1, y1, xy[0], xy[1]);
    expect(formatDistance(d)).toBe('166274.1516');
    expect(formatDistance(d / 1000)).toBe('166.2742');
    expect(formatDistance(d / 1609.34)).toBe('103.3182');
    expect(formatDistance(d / 0.3048)).toBe('545518.8700');
    expect(formatDistance(0)).toBe('0.0000');
  });

  it('matches the full-precision STOREDIST distances (same longitude: the meridian shortcut)', () => {
    // GEOADD s 10 10 a 10 50 b 10 -30 c; GEOSEARCHSTORE d s FROMMEMBER a BYRADIUS 10000 km STOREDIST
    const xy = new Float64Array(2);
    const at = (lon: number, lat: number) => {
      geohashDecode(geohashScore(lon, lat), xy);
      return [xy[0], xy[1]] as const;
    };
    const a = at(10, 10);
    const b = at(10, 50);
    const c = at(10, -30);
    expect(geohashGetDistance(a[0], a[1], b[0], b[1]) / 1000).toBe(4449.0518491202893);
    expect(geohashGetDistance(a[0], a[1], c[0], c[1]) / 1000).toBe(4449.0521310479462);
  });

  it('matches GEODIST across the antimeridian and between the limits', () => {
    const xy = new Float64Array(2);
    const dist = (s1: number, s2: number) => {
      geohashDecode(s1, xy);
      const [x, y] = [xy[0], xy[1]];
      geohashDecode(s2, xy);
      return formatDistance(geohashGetDistance(x, y, xy[0], xy[1]));
    };
    expect(dist(13510798882111488, 0)).toBe('18919844.5891'); // (180, 85.05) - (-180, -85.05)
    expect(dist(3377699720527872, 4128299658422954)).toBe('20020733.3421'); // (0, 0) - (179.9999999, 0)
  });

  it('sin, cos and asin round correctly (the fdlibm ones V8 uses do not, always)', () => {
    // Values checked against mpmath at 200 bits; Math.sin(0.9018959825113416) is one ulp off.
    expect(sinCR(0.9018959825113416)).toBe(0.7845040626184362);
    expect(cosCR(0)).toBe(1);
    expect(sinCR(Math.PI / 6)).toBe(0.49999999999999994);
    expect(asinCR(1)).toBe(Math.PI / 2);
    expect(asinCR(0.5)).toBe(0.5235987755982989);
    for (let x = -3.1; x < 3.1; x += 0.0137) {
      expect(Math.abs(sinCR(x) - Math.sin(x))).toBeLessThanOrEqual(2 * Number.EPSILON);
      expect(Math.abs(cosCR(x) - Math.cos(x))).toBeLessThanOrEqual(2 * Number.EPSILON);
    }
  });
});

describe('search area', () => {
  it('estimates steps as geohashEstimateStepsByRadius', () => {
    expect(geohashEstimateStepsByRadius(0, 0)).toBe(26);
    expect(geohashEstimateStepsByRadius(1, 0)).toBe(24);
    expect(geohashEstimateStepsByRadius(1000, 0)).toBe(14);
    expect(geohashEstimateStepsByRadius(1000, 70)).toBe(13);
    expect(geohashEstimateStepsByRadius(1000, -81)).toBe(12);
    expect(geohashEstimateStepsByRadius(5e7, 0)).toBe(1);
    expect(geohashEstimateStepsByRadius(Infinity, 0)).toBe(1);
  });

  it('covers a radius with the centre cell and neighbours whose score ranges are 52-bit aligned', () => {
    const shape = newShape();
    shape.type = CIRCULAR_TYPE;
    shape.lon = 15;
    shape.lat = 37;
    shape.radius = 200;
    shape.conversion = 1000;
    const area = newArea();
    geohashCalculateAreas(shape, area);
    const r = new Float64Array(2);
    // The centre cell holds Catania (3479447370796909): its range contains that score.
    cellScoreRange(area.cells[0], r);
    expect(r[1] - r[0]).toBe(2 ** (52 - 2 * area.step));
    expect(r[0] % 2 ** (52 - 2 * area.step)).toBe(0);
    let found = 0;
    for (const cell of area.cells) {
      if (cell.zero) continue;
      cellScoreRange(cell, r);
      if (3479447370796909 >= r[0] && 3479447370796909 < r[1]) found++;
      if (3479099956230698 >= r[0] && 3479099956230698 < r[1]) found++;
    }
    expect(found).toBe(2);
  });
});

describe('number formatting', () => {
  it('formats "%f" exactly as glibc (the invalid-pair error text)', () => {
    expect(formatFixed(181, 6)).toBe('181.000000');
    expect(formatFixed(-0, 6)).toBe('-0.000000');
    expect(formatFixed(0.0000005, 6)).toBe('0.000000');
    expect(formatFixed(0.0000015, 6)).toBe('0.000002');
    expect(formatFixed(85.05112879, 6)).toBe('85.051129');
    expect(formatFixed(-Infinity, 6)).toBe('-inf');
    expect(formatFixed(1e22, 6)).toBe('10000000000000000000000.000000');
  });

  it('formats distances as fixedpoint_d2string(d, 4): llrint, half to even', () => {
    expect(formatDistance(0.00005)).toBe('0.0000'); // 0.5 after scaling: a tie, to even
    expect(formatDistance(1.03125)).toBe('1.0312'); // exact tie, to even
    expect(formatDistance(1.03135)).toBe('1.0314');
    expect(formatDistance(0.0123)).toBe('0.0123');
    expect(formatDistance(12345678.9)).toBe('12345678.9000');
  });
});

// The geo family (GEOADD GEODIST GEOHASH GEOPOS GEORADIUS GEORADIUS_RO GEORADIUSBYMEMBER
// GEORADIUSBYMEMBER_RO GEOSEARCH GEOSEARCHSTORE) against every backend; every expectation below
// was observed on redis-server 7.0.15, and the redis backend proves it on each run. The
// in-process block at the end checks what only Hoard exposes: the propagated stream (GEOADD as
// ZADD of the computed scores, STORE as DEL + ZADD) and that replaying it reproduces the keyspace.

import { describe, it, expect } from 'vitest';
import { commandSuite } from '../helpers/suite.js';
import { inProcess, type Backend } from '../helpers/backends.js';
import { mulberry32 } from '../helpers/prng.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const SYNTAX = 'ERR syntax error';
const UNIT = 'ERR unsupported unit provided. please use M, KM, FT, MI';
const PALERMO = ['13.361389', '38.115556', 'Palermo'];
const CATANIA = ['15.087269', '37.502669', 'Catania'];

commandSuite('geo: GEOADD GEOPOS GEOHASH GEODIST', (t) => {
  it('GEOADD stores 52-bit geohash scores in a zset', async () => {
    expect(await t.call('GEOADD', 'Sicily', ...PALERMO, ...CATANIA)).toBe(2);
    expect(await t.call('TYPE', 'Sicily')).toBe('zset');
    expect(await t.call('OBJECT', 'ENCODING', 'Sicily')).toBe('listpack');
    expect(await t.call('ZSCORE', 'Sicily', 'Palermo')).toBe('3479099956230698');
    expect(await t.call('ZRANGE', 'Sicily', '0', '-1', 'WITHSCORES')).toEqual(['Palermo', '3479099956230698', 'Catania', '3479447370796909']);
    expect(await t.call('ZCARD', 'Sicily')).toBe(2);
    expect(await t.call('ZREM', 'Sicily', 'Catania')).toBe(1);
    expect(await t.call('GEOPOS', 'Sicily', 'Catania')).toEqual([null]);
  });

  it('GEOADD NX XX CH', async () => {
    expect(await t.call('GEOADD', 'k', 'XX', ...PALERMO)).toBe(0);
    expect(await t.call('EXISTS', 'k')).toBe(0);
    expect(await t.call('GEOADD', 'k', ...PALERMO)).toBe(1);
    expect(await t.call('GEOADD', 'k', 'NX', '1', '1', 'Palermo', ...CATANIA)).toBe(1);
    expect(await t.call('GEOPOS', 'k', 'Palermo')).toEqual([['13.36138933897018433', '38.11555639549629859']]);
    expect(await t.call('GEOADD', 'k', 'XX', 'CH', '1', '1', 'Palermo', '2', '2', 'New')).toBe(1);
    expect(await t.call('ZCARD', 'k')).toBe(2);
    expect(await t.call('GEOADD', 'k', 'ch', '1', '1', 'Palermo', '3', '3', 'Catania', '4', '4', 'x')).toBe(2);
    expect(await t.call('GEOADD', 'k', '4', '4', 'x')).toBe(0);
    expect(await t.error('GEOADD', 'k', 'NX', 'XX', '1', '1', 'a')).toBe(SYNTAX);
  });

  it('GEOADD errors', async () => {
    expect(await t.error('GEOADD', 'k', '1', '2')).toBe("ERR wrong number of arguments for 'geoadd' command");
    expect(await t.error('GEOADD', 'k', '1', '2', 'a', '3')).toBe(SYNTAX);
    expect(await t.error('GEOADD', 'k', 'ch', '1', '2')).toBe(SYNTAX);
    expect(await t.error('GEOADD', 'k', 'ch', 'nx', 'ch')).toBe(SYNTAX);
    expect(await t.error('GEOADD', 'k', '181', '0', 'a')).toBe('ERR invalid longitude,latitude pair 181.000000,0.000000');
    expect(await t.error('GEOADD', 'k', '180', '85.05112879', 'a')).toBe('ERR invalid longitude,latitude pair 180.000000,85.051129');
    expect(await t.error('GEOADD', 'k', '181', '-0', 'a')).toBe('ERR invalid longitude,latitude pair 181.000000,-0.000000');
    expect(await t.error('GEOADD', 'k', '1', '-inf', 'a')).toBe('ERR invalid longitude,latitude pair 1.000000,-inf');
    expect(await t.error('GEOADD', 'k', '0.0000015', '100', 'a')).toBe('ERR invalid longitude,latitude pair 0.000002,100.000000');
    expect(await t.error('GEOADD', 'k', 'abc', '1', 'a')).toBe('ERR value is not a valid float');
    expect(await t.error('GEOADD', 'k', '1', 'nan', 'a')).toBe('ERR value is not a valid float');
    expect(await t.error('GEOADD', 'k', '1e400', '1', 'a')).toBe('ERR value is not a valid float');
    // A bad pair anywhere means nothing is added.
    expect(await t.error('GEOADD', 'k', '1', '1', 'a', '200', '1', 'b')).toMatch(/^ERR invalid longitude/);
    expect(await t.call('EXISTS', 'k')).toBe(0);
    await t.call('SET', 'str', 'x');
    expect(await t.error('GEOADD', 'str', '1', '1', 'a')).toBe(WRONGTYPE);
    // Coordinates are checked before the key's type.
    expect(await t.error('GEOADD', 'str', '1', '100', 'a')).toBe('ERR invalid longitude,latitude pair 1.000000,100.000000');
  });

  it('GEOPOS and GEOHASH decode the cell centres, at the limits too', async () => {
    await t.call('GEOADD', 'e', '180', '85.05112878', 'a', '-180', '-85.05112878', 'b', '0', '0', 'c', '179.9999999', '0', 'g');
    expect(await t.call('GEOPOS', 'e', 'a', 'b', 'c', 'g', 'nope')).toEqual([
      ['180', '85.0511287799999991'],
      ['-179.99999731779098511', '-85.05112751263942528'],
      ['0.00000268220901489', '0.00000126736058093'],
      ['179.99999731779098511', '0.00000126736058093'],
      null,
    ]);
    expect(await t.call('GEOHASH', 'e', 'a', 'b', 'c', 'g', 'nope')).toEqual(['bp05b5048p0', '00bh0hbj200', 's0000000000', 'xbpbpbpbpb0', null]);
    expect(await t.call('ZSCORE', 'e', 'a')).toBe('13510798882111488');
    // Plain zset members decode too, whatever their score.
    await t.call('ZADD', 'e', '-1', 'n1', '1.5', 'n2', '-inf', 'n7');
    expect(await t.call('GEOPOS', 'e', 'n1', 'n2', 'n7')).toEqual([
      ['180', '85.0511287799999991'],
      ['-179.99999731779098511', '-85.05112497791824921'],
      ['180', '-85.05112751263942528'],
    ]);
    expect(await t.call('GEOPOS', 'nokey', 'a', 'b')).toEqual([null, null]);
    expect(await t.call('GEOHASH', 'nokey', 'a')).toEqual([null]);
    await t.call('SET', 'str', 'x');
    expect(await t.error('GEOPOS', 'str', 'a')).toBe(WRONGTYPE);
    expect(await t.error('GEOHASH', 'str', 'a')).toBe(WRONGTYPE);
    expect(await t.call('GEOHASH', 'e')).toEqual([]);
  });

  it('GEODIST in every unit', async () => {
    await t.call('GEOADD', 'Sicily', ...PALERMO, ...CATANIA);
    expect(await t.call('GEODIST', 'Sicily', 'Palermo', 'Catania')).toBe('166274.1516');
    expect(await t.call('GEODIST', 'Sicily', 'Palermo', 'Catania', 'km')).toBe('166.2742');
    expect(await t.call('GEODIST', 'Sicily', 'Palermo', 'Catania', 'KM')).toBe('166.2742');
    expect(await t.call('GEODIST', 'Sicily', 'Palermo', 'Catania', 'mi')).toBe('103.3182');
    expect(await t.call('GEODIST', 'Sicily', 'Palermo', 'Catania', 'ft')).toBe('545518.8700');
    expect(await t.call('GEODIST', 'Sicily', 'Palermo', 'Palermo')).toBe('0.0000');
    expect(await t.call('GEODIST', 'Sicily', 'Palermo', 'nope')).toBe(null);
    expect(await t.call('GEODIST', 'nokey', 'a', 'b')).toBe(null);
    expect(await t.error('GEODIST', 'Sicily', 'Palermo', 'Catania', 'yd')).toBe(UNIT);
    expect(await t.error('GEODIST', 'nokey', 'a', 'b', 'yd')).toBe(UNIT);
    expect(await t.error('GEODIST', 'Sicily', 'Palermo', 'Catania', 'km', 'x')).toBe(SYNTAX);
    expect(await t.error('GEODIST', 'Sicily', 'Palermo')).toBe("ERR wrong number of arguments for 'geodist' command");
    await t.call('SET', 'str', 'x');
    expect(await t.error('GEODIST', 'str', 'a', 'b')).toBe(WRONGTYPE);
    expect(await t.error('GEODIST', 'str', 'a', 'b', 'xx')).toBe(UNIT);
    await t.call('GEOADD', 'e', '180', '85.05112878', 'a', '-180', '-85.05112878', 'b');
    expect(await t.call('GEODIST', 'e', 'a', 'b')).toBe('18919844.5891');
  });
});

commandSuite('geo: GEORADIUS GEORADIUSBYMEMBER GEOSEARCH', (t) => {
  const load = () => t.call('GEOADD', 'Sicily', ...PALERMO, ...CATANIA);

  it('GEORADIUS with every reply option, in scan order and sorted', async () => {
    await load();
    expect(await t.call('GEORADIUS', 'Sicily', '15', '37', '200', 'km')).toEqual(['Palermo', 'Catania']);
    expect(await t.call('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'WITHDIST', 'WITHCOORD', 'WITHHASH', 'ASC')).toEqual([
      ['Catania', '56.4413', 3479447370796909, ['15.08726745843887329', '37.50266842333162032']],
      ['Palermo', '190.4424', 3479099956230698, ['13.36138933897018433', '38.11555639549629859']],
    ]);
    expect(await t.call('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'desc', 'count', '1')).toEqual(['Palermo']);
    expect(await t.call('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'COUNT', '1')).toEqual(['Catania']);
    expect(await t.call('GEORADIUS', 'Sicily', '15', '37', '100', 'km')).toEqual(['Catania']);
    expect(await t.call('GEORADIUS', 'Sicily', '15', '37', '10', 'km')).toEqual([]);
    expect(await t.call('GEORADIUS_RO', 'Sicily', '15', '37', '200000', 'm', 'WITHDIST', 'ASC')).toEqual([
      ['Catania', '56441.2579'],
      ['Palermo', '190442.4298'],
    ]);
    expect(await t.call('GEORADIUS', 'nokey', '15', '37', '200', 'km')).toEqual([]);
  });

  it('GEORADIUSBYMEMBER', async () => {
    await load();
    expect(await t.call('GEORADIUSBYMEMBER', 'Sicily', 'Palermo', '200', 'km', 'WITHDIST')).toEqual([
      ['Palermo', '0.0000'],
      ['Catania', '166.2742'],
    ]);
    expect(await t.call('GEORADIUSBYMEMBER_RO', 'Sicily', 'Catania', '100', 'mi', 'WITHDIST')).toEqual([
      ['Catania', '0.0000'],
    ]);
    expect(await t.error('GEORADIUSBYMEMBER', 'Sicily', 'nope', '200', 'km')).toBe('ERR could not decode requested zset member');
    // With no source key the member and the radius are never read.
    expect(await t.call('GEORADIUSBYMEMBER', 'nokey', 'nope', 'x', 'km', 'WITHDIST')).toEqual([]);
  });

  it('GEOSEARCH FROMMEMBER / FROMLONLAT, BYRADIUS / BYBOX', async () => {
    await load();
    expect(await t.call('GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km')).toEqual(['Palermo', 'Catania']);
    expect(await t.call('GEOSEARCH', 'Sicily', 'fromlonlat', '15', '37', 'bybox', '400', '400', 'km', 'withdist')).toEqual([
      ['Palermo', '190.4424'],
      ['Catania', '56.4413'],
    ]);
    expect(await t.call('GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', '200', '200', 'km', 'ASC')).toEqual(['Catania']);
    expect(await t.call('GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'KM', 'COUNT', '1', 'ANY', 'DESC')).toEqual(['Palermo']);
    expect(await t.call('GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'COUNT', '1', 'ANY')).toEqual(['Palermo']);
    // Repeated options: the last one counts; FROMMEMBER twice is allowed, BYRADIUS twice too.
    expect(await t.call('GEOSEARCH', 'Sicily', 'BYRADIUS', '1', 'km', 'BYRADIUS', '300', 'km', 'FROMMEMBER', 'Palermo')).toEqual(['Palermo', 'Catania']);
    expect(await t.call('GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'WITHDIST', 'WITHDIST')).toEqual([['Palermo', '0.0000']]);
    expect(await t.call('GEOSEARCH', 'nokey', 'FROMMEMBER', 'nope', 'BYRADIUS', '1', 'km')).toEqual([]);
  });

  it('equal positions: a cell is scanned in member order and the sort keeps ties in it', async () => {
    await t.call('GEOADD', 'dup', '10', '10', 'c', '10', '10', 'b', '10', '10', 'a', '10.001', '10', 'd');
    const r = (await t.call('GEOSEARCH', 'dup', 'FROMLONLAT', '10', '10', 'BYRADIUS', '1', 'km', 'ASC', 'WITHDIST')) as string[][];
    expect(r).toEqual([['a', '0.0003'], ['b', '0.0003'], ['c', '0.0003'], ['d', '0.1095']]);
    expect(await t.call('GEOSEARCH', 'dup', 'FROMLONLAT', '10', '10', 'BYRADIUS', '1', 'km', 'DESC')).toEqual(['d', 'a', 'b', 'c']);
  });

  it('equidistant members in different cells: stable when all are sorted, the partial quicksort under COUNT', async () => {
    // Mirrored points around (0, 0): n_k/s_k and e_k/w_k are at exactly equal distances.
    for (let k = 1; k <= 6; k++) {
      const d = `0.0${k}`;
      await t.call('GEOADD', 'm', d, '0', `e${k}`, `-${d}`, '0', `w${k}`, '0', d, `n${k}`, '0', `-${d}`, `s${k}`);
    }
    const search = (...opts: string[]) => t.call('GEOSEARCH', 'm', 'FROMLONLAT', '0', '0', 'BYRADIUS', '100', 'km', ...opts);
    // Every match sorted (glibc's stable qsort): ties keep the order the cells were scanned in.
    expect((await search('ASC')).slice(0, 8)).toEqual(['n1', 's1', 'e1', 'w1', 'n2', 's2', 'e2', 'w2']);
    // COUNT below the 24 matches: Redis's pqsort leaves ties in its own order.
    expect(await search('ASC', 'COUNT', '7')).toEqual(['s1', 'n1', 'e1', 'w1', 'n2', 's2', 'w2']);
    expect(await search('DESC', 'COUNT', '5')).toEqual(['s6', 'n6', 'e6', 'w6', 's5']);
    expect(await t.call('GEORADIUS', 'm', '0', '0', '100', 'km', 'COUNT', '7', 'ASC')).toEqual(['s1', 'n1', 'e1', 'w1', 'n2', 's2', 'w2']);
    // The STORE forms keep the same members (w2 and not e2 at the cut-off).
    expect(await t.call('GEOSEARCHSTORE', 'dst', 'm', 'FROMLONLAT', '0', '0', 'BYRADIUS', '100', 'km', 'ASC', 'COUNT', '7')).toBe(7);
    expect(await t.call('ZRANGE', 'dst', '0', '-1')).toEqual(['w2', 'w1', 's2', 's1', 'e1', 'n1', 'n2']);
  });

  it('search errors, in Redis order', async () => {
    await load();
    const base = ['GEORADIUS', 'Sicily', '15', '37', '200', 'km'];
    expect(await t.error(...base, 'count', '0')).toBe('ERR COUNT must be > 0');
    expect(await t.error(...base, 'count', '-1')).toBe('ERR COUNT must be > 0');
    expect(await t.error(...base, 'count', 'x')).toBe('ERR value is not an integer or out of range');
    expect(await t.error(...base, 'any')).toBe('ERR the ANY argument requires COUNT argument');
    expect(await t.error(...base, 'store', 'd', 'withdist')).toBe(
      'ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options',
    );
    expect(await t.error(...base, 'foo')).toBe(SYNTAX);
    expect(await t.error(...base, 'count')).toBe(SYNTAX);
    expect(await t.error(...base, 'store')).toBe(SYNTAX);
    expect(await t.error('GEORADIUS_RO', 'Sicily', '15', '37', '200', 'km', 'store', 'd')).toBe(SYNTAX);
    expect(await t.error('GEORADIUS', 'Sicily', '15', '37', '-1', 'km')).toBe('ERR radius cannot be negative');
    expect(await t.error('GEORADIUS', 'Sicily', '15', '37', 'x', 'km')).toBe('ERR need numeric radius');
    expect(await t.error('GEORADIUS', 'Sicily', '15', '37', '1', 'kmx')).toBe(UNIT);
    expect(await t.error('GEORADIUS', 'Sicily', '200', '37', '1', 'km')).toBe('ERR invalid longitude,latitude pair 200.000000,37.000000');
    expect(await t.error('GEOSEARCH', 'Sicily', 'BYRADIUS', '200', 'km')).toBe("ERR wrong number of arguments for 'geosearch' command");
    expect(await t.error('GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'WITHDIST', 'COUNT', '1')).toBe(
      'ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH',
    );
    expect(await t.error('GeoSearch', 'Sicily', 'WITHDIST', 'COUNT', '1', 'BYRADIUS', '1', 'km')).toBe(
      'ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GeoSearch',
    );
    expect(await t.error('GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km')).toBe(SYNTAX);
    expect(await t.error('GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'BYBOX', '1', '1', 'km')).toBe(SYNTAX);
    expect(await t.error('GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'STORE', 'x')).toBe(SYNTAX);
    expect(await t.error('GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'STOREDIST')).toBe(SYNTAX);
    expect(await t.error('GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYBOX', '-1', '1', 'km')).toBe('ERR height or width cannot be negative');
    expect(await t.error('GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYBOX', 'x', '1', 'km')).toBe('ERR need numeric width');
    expect(await t.error('GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYBOX', '1', 'x', 'km')).toBe('ERR need numeric height');
    expect(await t.error('GEOSEARCH', 'Sicily', 'FROMMEMBER', 'nope', 'BYBOX', 'x', '1', 'km')).toBe('ERR could not decode requested zset member');
    expect(await t.error('GEOSEARCH', 'Sicily', 'BYBOX', 'x', '1', 'km', 'FROMMEMBER', 'nope')).toBe('ERR need numeric width');
    expect(await t.error('GEOSEARCH', 'nokey', 'FROMMEMBER', 'nope', 'BYRADIUS', 'x', 'km')).toBe('ERR need numeric radius');
    expect(await t.error('GEOSEARCHSTORE', 'd', 'Sicily', 'FROMLONLAT', '1', '1', 'WITHDIST', 'COUNT', '1')).toBe(
      'ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options',
    );
    await t.call('SET', 'str', 'x');
    // The source key's type is checked before any argument.
    expect(await t.error('GEORADIUS', 'str', '15', '37', '-1', 'km')).toBe(WRONGTYPE);
    expect(await t.error('GEOSEARCH', 'str', 'BYBOX', 'x', '1', 'km', 'FROMMEMBER', 'nope')).toBe(WRONGTYPE);
    expect(await t.error('GEORADIUSBYMEMBER', 'str', 'nope', 'x', 'km')).toBe(WRONGTYPE);
  });

  it('STORE, STOREDIST and GEOSEARCHSTORE write zsets; an empty result deletes the destination', async () => {
    await load();
    expect(await t.call('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STORE', 'd')).toBe(2);
    expect(await t.call('ZRANGE', 'd', '0', '-1', 'WITHSCORES')).toEqual(['Palermo', '3479099956230698', 'Catania', '3479447370796909']);
    expect(await t.call('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STOREDIST', 'd', 'COUNT', '1')).toBe(1);
    expect(await t.call('ZRANGE', 'd', '0', '-1', 'WITHSCORES')).toEqual(['Catania', '56.441257870158204']);
    expect(await t.call('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STORE', 'd', 'STORE', 'e')).toBe(2);
    expect(await t.call('EXISTS', 'e')).toBe(1);
    expect(await t.call('GEOSEARCHSTORE', 'd', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'STOREDIST')).toBe(2);
    expect(await t.call('ZRANGE', 'd', '0', '-1', 'WITHSCORES')).toEqual(['Palermo', '0', 'Catania', '166.27415156960032']);
    expect(await t.call('OBJECT', 'ENCODING', 'd')).toBe('listpack');
    await t.call('SET', 'str', 'x');
    expect(await t.call('GEOSEARCHSTORE', 'str', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km')).toBe(1);
    expect(await t.call('TYPE', 'str')).toBe('zset');
    await t.call('EXPIRE', 'd', '100');
    expect(await t.call('GEORADIUSBYMEMBER', 'Sicily', 'Palermo', '200', 'km', 'STORE', 'd')).toBe(2);
    expect(await t.call('TTL', 'd')).toBe(-1);
    expect(await t.call('GEOSEARCHSTORE', 'd', 'Sicily', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km')).toBe(0);
    expect(await t.call('EXISTS', 'd')).toBe(0);
    await t.call('SET', 'd', 'x');
    expect(await t.call('GEOSEARCHSTORE', 'd', 'nokey', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km')).toBe(0);
    expect(await t.call('EXISTS', 'd')).toBe(0);
    expect(await t.call('GEORADIUSBYMEMBER', 'nokey', 'x', '1', 'km', 'STORE', 'e')).toBe(0);
    expect(await t.call('EXISTS', 'e')).toBe(0);
  });

  it('COMMAND GETKEYS finds the STORE keys as the key specs do', async () => {
    expect(await t.call('COMMAND', 'GETKEYS', 'GEORADIUS', 'src', '1', '2', '3', 'km', 'store', 'dst')).toEqual(['src', 'dst']);
    expect(await t.call('COMMAND', 'GETKEYS', 'GEORADIUS', 'src', '1', '2', '3', 'km', 'storedist', 'dst', 'store', 'd2')).toEqual(['src', 'd2', 'dst']);
    expect(await t.call('COMMAND', 'GETKEYS', 'GEORADIUS', 'src', '1', '2', '3', 'km', 'STORE')).toEqual(['src']);
    expect(await t.call('COMMAND', 'GETKEYS', 'GEORADIUSBYMEMBER', 'src', 'm', '3', 'km', 'STOREDIST', 'd')).toEqual(['src', 'd']);
    expect(await t.call('COMMAND', 'GETKEYS', 'GEOSEARCHSTORE', 'd', 's', 'frommember', 'm', 'byradius', '1', 'km')).toEqual(['d', 's']);
    const info = (await t.call('COMMAND', 'INFO', 'georadius', 'geosearch', 'geoadd')) as unknown[][];
    expect(info.map((i) => i.slice(0, 7))).toEqual([
      ['georadius', -6, ['write', 'denyoom', 'movablekeys'], 1, 1, 1, ['@write', '@geo', '@slow']],
      ['geosearch', -7, ['readonly'], 1, 1, 1, ['@read', '@geo', '@slow']],
      ['geoadd', -5, ['write', 'denyoom'], 1, 1, 1, ['@write', '@geo', '@slow']],
    ]);
  });

  it('a geo set is a zset: Z commands and GEO commands see the same data', async () => {
    await load();
    await t.call('ZADD', 'Sicily', '3479447370796909', 'Copy');
    expect(await t.call('GEOPOS', 'Sicily', 'Copy')).toEqual([['15.08726745843887329', '37.50266842333162032']]);
    expect(await t.call('ZRANGEBYSCORE', 'Sicily', '3479447370796909', '3479447370796909')).toEqual(['Catania', 'Copy']);
    expect(await t.call('ZINCRBY', 'Sicily', '1', 'Copy')).toBe('3479447370796910');
    expect(await t.call('GEOHASH', 'Sicily', 'Copy')).toEqual(['sqdtr74hyg0']);
  });
});

describe('geo: in-process propagation and replay', () => {
  let backend: Backend | null = null;

  it('propagates GEOADD as ZADD of the computed scores and STORE as DEL + ZADD', async () => {
    backend = await inProcess();
    try {
      const seen: string[][] = [];
      backend.server!.log.addObserver((_db, argv) => seen.push([...argv]));
      const c = backend.conn;
      const expectLog = async (args: string[], want: string[][]) => {
        seen.length = 0;
        await c.call(...args).catch(() => null);
        expect([args, seen]).toEqual([args, want]);
      };
      await expectLog(['GEOADD', 'k', ...PALERMO, ...CATANIA], [['ZADD', 'k', '3479099956230698', 'Palermo', '3479447370796909', 'Catania']]);
      await expectLog(['GEOADD', 'k', 'NX', ...PALERMO, '1', '1', 'x'], [['ZADD', 'k', '3377822707026402', 'x']]);
      await expectLog(['GEOADD', 'k', 'XX', 'CH', '1', '1', 'Palermo', '2', '2', 'y'], [['ZADD', 'k', '3377822707026402', 'Palermo']]);
      await expectLog(['GEOADD', 'k', '1', '1', 'Palermo'], []);
      await expectLog(['GEOADD', 'k', '200', '1', 'z'], []);
      await expectLog(['GEOSEARCH', 'k', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km'], []);
      await expectLog(['GEORADIUS', 'k', '15', '37', '200', 'km', 'STOREDIST', 'd'], [['ZADD', 'd', '56.441257870158204', 'Catania']]);
      await expectLog(['GEOSEARCHSTORE', 'd', 'k', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km'], [['DEL', 'd'], ['ZADD', 'd', '3377822707026402', 'Palermo', '3377822707026402', 'x']]);
      await expectLog(['GEOSEARCHSTORE', 'd', 'k', 'FROMLONLAT', '50', '50', 'BYRADIUS', '1', 'km'], [['DEL', 'd']]);
      await expectLog(['GEOSEARCHSTORE', 'd', 'k', 'FROMLONLAT', '50', '50', 'BYRADIUS', '1', 'km'], []);
    } finally {
      await backend.close();
      backend = null;
    }
  });

  it('replaying the propagated stream of a mixed GEO workload reproduces the keyspace', async () => {
    backend = await inProcess();
    const replica = await inProcess();
    try {
      const log: Array<{ db: number; argv: string[] }> = [];
      backend.server!.log.addObserver((db, argv) => log.push({ db, argv: [...argv] }));
      const c = backend.conn;
      const rnd = mulberry32(0x6e0);
      const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
      const lon = () => String(rnd() * 360 - 180);
      const lat = () => String(rnd() * 170 - 85);
      const keys = ['g1', 'g2', 'g3'];
      const dsts = ['d1', 'd2', 'g3'];
      const member = () => 'm' + Math.floor(rnd() * 300);
      const radius = () => String(10 ** (rnd() * 7));
      const ops: Array<() => string[]> = [
        () => ['GEOADD', pick(keys), lon(), lat(), member(), lon(), lat(), member()],
        () => ['GEOADD', pick(keys), pick(['NX', 'XX', 'CH']), lon(), lat(), member()],
        () => ['GEOSEARCHSTORE', pick(dsts), pick(keys), 'FROMLONLAT', lon(), lat(), 'BYRADIUS', radius(), 'm', ...(rnd() < 0.5 ? ['STOREDIST'] : [])],
        () => ['GEOSEARCHSTORE', pick(dsts), pick(keys), 'FROMMEMBER', member(), 'BYBOX', radius(), radius(), 'km', 'COUNT', '5'],
        () => ['GEORADIUS', pick(keys), lon(), lat(), radius(), 'km', pick(['STORE', 'STOREDIST']), pick(dsts)],
        () => ['GEORADIUSBYMEMBER', pick(keys), member(), radius(), 'm', 'STORE', pick(dsts), 'COUNT', '3', 'ANY'],
        () => ['ZREM', pick(keys), member()],
        () => ['GEOSEARCH', pick(keys), 'FROMLONLAT', lon(), lat(), 'BYRADIUS', radius(), 'm'],
      ];
      for (let i = 0; i < 3000; i++) await c.call(...pick(ops)()).catch(() => null);
      expect(log.length).toBeGreaterThan(1000);
      const r = replica.conn;
      let db = 0;
      for (const m of log) {
        if (m.db !== db) {
          await r.call('SELECT', String(m.db));
          db = m.db;
        }
        await r.call(...m.argv);
      }
      const dump = async (conn: typeof c) => {
        const out: Record<string, unknown> = {};
        for (const k of ((await conn.call('KEYS', '*')) as string[]).sort()) {
          out[k] = [await conn.call('TYPE', k), await conn.call('OBJECT', 'ENCODING', k), await conn.call('ZRANGE', k, '0', '-1', 'WITHSCORES')];
        }
        return out;
      };
      const live = await dump(c);
      expect(Object.keys(live).length).toBeGreaterThanOrEqual(3);
      expect(await dump(r)).toEqual(live);
    } finally {
      await backend.close();
      await replica.close();
      backend = null;
    }
  }, 60_000);
});

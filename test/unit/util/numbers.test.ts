// Redis number parsing/formatting. Every expectation below was observed on redis 7.0.15
// (x86-64, glibc) with redis-cli or a raw RESP socket, unless a comment says otherwise.
import { describe, expect, it } from 'vitest';
import {
  INT64_MAX,
  INT64_MIN,
  addInt64,
  addLongDouble,
  formatLongDouble,
  formatScore,
  isFiniteLongDouble,
  longDoubleFromNumber,
  longDoubleToNumber,
  parseFloatStrict,
  parseIndex,
  parseInt64,
  parseLongDouble,
  parseRangeFloat,
} from '../../../src/util/numbers.js';

describe('parseInt64 (string2ll)', () => {
  // observed on redis 7.0.15: INCRBY k <s> on a missing key
  const cases: Array<[string, number | bigint | null]> = [
    ['1', 1],
    ['-1', -1],
    ['0', 0],
    ['+1', null],
    [' 1', null],
    ['1 ', null],
    ['01', null],
    ['-0', null],
    ['00', null],
    ['-01', null],
    ['', null],
    ['-', null],
    ['1a', null],
    ['1.0', null],
    ['0x10', null],
    ['1e3', null],
    ['00000000000000000001', null],
    ['9223372036854775807', 9223372036854775807n],
    ['9223372036854775808', null],
    ['-9223372036854775808', -9223372036854775808n],
    ['-9223372036854775809', null],
    ['18446744073709551616', null],
    ['99999999999999999999', null],
    ['999999999999999', 999999999999999],
    ['9007199254740991', 9007199254740991],
    ['-9007199254740991', -9007199254740991],
    ['9007199254740992', 9007199254740992n],
    ['-9007199254740993', -9007199254740993n],
    ['1\0', null],
  ];
  it.each(cases)('%j -> %s', (s, want) => {
    expect(parseInt64(s)).toBe(want);
  });

  it('returns numbers exactly when safe', () => {
    for (const s of ['123456789012345', '-123456789012345', '1234567890123456', '-1234567890123456']) {
      const v = parseInt64(s);
      expect(typeof v).toBe('number');
      expect(String(v)).toBe(s);
    }
  });

  it('exports the int64 bounds', () => {
    expect(INT64_MAX).toBe(9223372036854775807n);
    expect(INT64_MIN).toBe(-9223372036854775808n);
  });
});

describe('parseIndex', () => {
  it('accepts what string2ll accepts and clamps beyond 2^53', () => {
    expect(parseIndex('-1')).toBe(-1);
    expect(parseIndex('42')).toBe(42);
    expect(parseIndex('9223372036854775807')).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseIndex('-9223372036854775808')).toBe(-Number.MAX_SAFE_INTEGER);
    expect(parseIndex('9007199254740993')).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseIndex('9223372036854775808')).toBeNull();
    expect(parseIndex('+1')).toBeNull();
    expect(parseIndex('1.5')).toBeNull();
  });
});

describe('addInt64', () => {
  it('adds within int64', () => {
    expect(addInt64(1, 2)).toBe(3);
    expect(addInt64(9007199254740991, 1)).toBe(9007199254740992n);
    expect(addInt64(9007199254740992n, -1)).toBe(9007199254740991);
    // observed: SET k 0; DECRBY k 9223372036854775807 -> -9223372036854775807
    expect(addInt64(0, -9223372036854775807n)).toBe(-9223372036854775807n);
    expect(addInt64(-9223372036854775807n, -1)).toBe(INT64_MIN);
    expect(addInt64(INT64_MAX, INT64_MIN)).toBe(-1);
  });
  it('reports overflow as null', () => {
    // observed: SET k 9223372036854775807; INCR k -> ERR increment or decrement would overflow
    expect(addInt64(INT64_MAX, 1)).toBeNull();
    // observed: SET k -9223372036854775808; DECR k / INCRBY k -1 -> same error
    expect(addInt64(INT64_MIN, -1)).toBeNull();
    expect(addInt64(INT64_MIN, INT64_MIN)).toBeNull();
  });
});

describe('parseFloatStrict (string2d: ZADD scores)', () => {
  // observed on redis 7.0.15: ZADD z <s> m; ZSCORE z m (skiplist encoding), or the error
  const cases: Array<[string, string | null]> = [
    ['1', '1'],
    ['-1.5', '-1.5'],
    ['1e3', '1000'],
    ['.5', '0.5'],
    ['5.', '5'],
    ['+5', '5'],
    ['00012', '12'],
    ['0e0', '0'],
    ['+.5e-2', '0.0050000000000000001'],
    ['inf', 'inf'],
    ['+inf', 'inf'],
    ['-inf', '-inf'],
    ['Infinity', 'inf'],
    ['-Infinity', '-inf'],
    ['INF', 'inf'],
    ['iNf', 'inf'],
    ['infinity', 'inf'],
    ['infinit', null],
    ['nan', null],
    ['NaN', null],
    ['-nan', null],
    ['0x10', '16'],
    ['0X1p3', '8'],
    ['-0x1p3', '-8'],
    ['0x', null],
    [' 1', null],
    ['1 ', null],
    ['', null],
    ['1e', null],
    ['1e+', null],
    ['1e400', null],
    ['-1e400', null],
    ['1e-400', null],
    ['4.9e-324', '4.9406564584124654e-324'],
    ['-0.0', '-0'],
    ['1_0', null],
    ['1,5', null],
    ['.', null],
    ['-', null],
    ['+', null],
    ['e3', null],
    ['1\0', null],
    ['1.7976931348623157e308', '1.7976931348623157e+308'],
    ['1.7976931348623159e308', null],
    ['2.2250738585072014e-308', '2.2250738585072014e-308'],
  ];
  it.each(cases)('%j -> %s', (s, want) => {
    const v = parseFloatStrict(s);
    expect(v === null ? null : formatScore(v)).toBe(want);
  });
});

describe('parseRangeFloat (strtod inside zslParseRange)', () => {
  // observed on redis 7.0.15 through ZCOUNT (see test/unit/types/zset.test.ts for the ranges)
  it('is laxer than string2d', () => {
    expect(parseRangeFloat('')).toBe(0);
    expect(parseRangeFloat(' 1')).toBe(1);
    expect(parseRangeFloat(' \t1')).toBe(1);
    expect(parseRangeFloat('1\0abc')).toBe(1);
    expect(parseRangeFloat('1e400')).toBe(Infinity);
    expect(parseRangeFloat('-1e400')).toBe(-Infinity);
    expect(parseRangeFloat('1e-400')).toBe(0);
    expect(parseRangeFloat('0x1')).toBe(1);
    expect(parseRangeFloat(' ')).toBeNull();
    expect(parseRangeFloat('1 ')).toBeNull();
    expect(parseRangeFloat('nan')).toBeNull();
    expect(parseRangeFloat('(1')).toBeNull();
  });
});

describe('formatScore (%.17g)', () => {
  // observed on redis 7.0.15: ZADD z <input> m; ZSCORE z m. RESP3 replies the same text after
  // ',' (observed: ,1.1000000000000001 ,1e+30 ,-inf ,inf ,1).
  const cases: Array<[number, string]> = [
    [1.1, '1.1000000000000001'],
    [1, '1'],
    [1e30, '1e+30'],
    [1e-5, '1.0000000000000001e-05'],
    [0, '0'],
    [9007199254740993, '9007199254740992'],
    [72057594037927936, '72057594037927936'],
    [1e16, '10000000000000000'],
    [1e17, '1e+17'],
    [123456789012345678, '1.2345678901234568e+17'],
    [0.1, '0.10000000000000001'],
    [1000000000000000.25, '1000000000000000.2'], // a tie: glibc rounds half to even
    [4503599627370497, '4503599627370497'],
    [-4503599627370496, '-4503599627370496'],
    [1e15, '1000000000000000'],
    [1e-4, '0.0001'],
    [1e21, '1e+21'],
    [1.5e300, '1.5000000000000001e+300'],
    [4.9e-324, '4.9406564584124654e-324'],
    [100, '100'],
    [-100.5, '-100.5'],
    [3.0, '3'],
    [5e-5, '5.0000000000000002e-05'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    // observed: ZADD z 2.98023223876953125e-08 m (= 2^-25, another tie)
    [2 ** -25, '2.9802322387695312e-08'],
  ];
  it.each(cases)('%s -> %s', (d, want) => {
    expect(formatScore(d)).toBe(want);
  });
  it('prints -0 as %.17g does (skiplist encoding; observed "-0")', () => {
    expect(formatScore(-0)).toBe('-0');
  });
  it('round-trips through parseFloatStrict', () => {
    let x = 0x2545f491;
    for (let i = 0; i < 2000; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      const d = (x / 4294967296 - 0.5) * 10 ** ((x % 80) - 40);
      expect(parseFloatStrict(formatScore(d))).toBe(d);
    }
  });
});

/** INCRBYFLOAT as the command computes it: both operands through string2ld, long double add. */
function incrByFloat(cur: string, incr: string): string {
  const a = parseLongDouble(cur);
  const b = parseLongDouble(incr);
  if (a === null || b === null) return 'ERR value is not a valid float';
  const r = addLongDouble(a, b);
  if (!isFiniteLongDouble(r)) return 'ERR increment would produce NaN or Infinity';
  return formatLongDouble(r);
}

describe('long double: INCRBYFLOAT', () => {
  // observed on redis 7.0.15: SET k <cur> (cur '' = no key); INCRBYFLOAT k <incr>
  const cases: Array<[string, string, string]> = [
    ['10.5', '0.1', '10.6'],
    ['0.1', '0.2', '0.3'],
    ['0.1', '0.7', '0.8'],
    ['100', '-99.9', '0.1'],
    ['', '3.0e3', '3000'],
    ['', '1e20', '100000000000000000000'],
    ['', '5.0e-5', '0.00005'],
    ['', '1e30', '1000000000000000000024696061952'],
    ['', '1e25', '10000000000000000000000000'],
    ['', '1.1', '1.1'],
    ['', '-0', '0'],
    ['0', '-0.0', '0'],
    ['3', '-3', '0'],
    ['5', '-5.5', '-0.5'],
    ['', '1e-17', '0.00000000000000001'],
    ['', '5e-18', '0'],
    ['', '6e-18', '0.00000000000000001'],
    ['', '-6e-18', '-0.00000000000000001'],
    ['', '-1e-17', '-0.00000000000000001'],
    ['', '1.5e-17', '0.00000000000000002'],
    ['', '2.5e-17', '0.00000000000000002'],
    ['', '123456789.123456789', '123456789.12345678899873747'],
    ['', '1234567.1', '1234567.10000000000002274'],
    ['', '9007199254740993', '9007199254740993'],
    ['', '18446744073709551617', '18446744073709551616'],
    ['12345678901234567890', '0.5', '12345678901234567890'],
    ['3.0000000000000001', '0', '3.0000000000000001'],
    ['', '0x1p-1', '0.5'],
    ['', '0x1.8p1', '3'],
    ['', '1e-4940', '0'],
    ['', '-1e-4940', '0'],
    ['', '1e-5000', 'ERR value is not a valid float'],
    ['abc', '1', 'ERR value is not a valid float'],
    ['1', 'abc', 'ERR value is not a valid float'],
    ['1', ' 1', 'ERR value is not a valid float'],
    ['1', 'nan', 'ERR value is not a valid float'],
    ['', 'inf', 'ERR increment would produce NaN or Infinity'],
    ['-inf', 'inf', 'ERR increment would produce NaN or Infinity'],
    ['inf', '-1', 'ERR increment would produce NaN or Infinity'],
    ['1e4932', '1e4932', 'ERR increment would produce NaN or Infinity'],
    [
      '',
      '1e308',
      '99999999999999999996685879655845645660560099847415567207797047994921734868838061872100126921888539320446747225054013223152134749593960583597420814430196418767959100019603190778663109604507106667939153395788938914560543563061268364901618630217086589253444881623791300855757318142424510452728255046343928578048',
    ],
    [
      '1.7976931348623157e308',
      '1e308',
      '279769313486231570002352240441350078789299929179619934003987695617693370918830364684014944221042050987341155710361544171686148029276505307138777262321877129888036065002204239033812550598509174132739480498569620043582760541189365866551522561741435317031294527744011878159793174665688773926186886103199182225408',
    ],
  ];
  it.each(cases)('%j + %j -> %s', (cur, incr, want) => {
    expect(incrByFloat(cur === '' ? '0' : cur, incr)).toBe(want);
  });

  it('accepts 1e4932 and prints it in full (no exponent)', () => {
    // observed: INCRBYFLOAT k 1e4932 -> "10000000000000000000060189493879638913238377742545331147737850413525330194866087224075333277794331427736665255636662776820618609064404603366..." (4933 digits)
    const s = incrByFloat('0', '1e4932');
    expect(s.length).toBe(4933);
    expect(s.startsWith('1000000000000000000006018949387963891323837774254533114773785041352533019486608722407533327779433142773666')).toBe(true);
  });

  it('limits string2ld input to 5119 bytes', () => {
    // observed: SET k <5118 zeros>1 -> INCRBYFLOAT k 0 = 1; one more zero -> ERR
    expect(parseLongDouble('0'.repeat(5118) + '1')).not.toBeNull();
    expect(parseLongDouble('0'.repeat(5119) + '1')).toBeNull();
  });

  it('converts doubles exactly', () => {
    expect(formatLongDouble(0.5)).toBe('0.5');
    expect(formatLongDouble(0.1 + 0.2)).toBe('0.30000000000000004'); // the double itself, not Redis's sum
    expect(formatLongDouble(-0)).toBe('0');
    expect(formatLongDouble(Infinity)).toBe('inf');
    expect(longDoubleToNumber(parseLongDouble('0.1')!)).toBe(0.1);
    expect(longDoubleToNumber(parseLongDouble('1e400')!)).toBe(Infinity);
    expect(longDoubleToNumber(parseLongDouble('4.9e-324')!)).toBe(4.9e-324);
    expect(longDoubleToNumber(longDoubleFromNumber(-1.25e-310))).toBe(-1.25e-310);
  });
});

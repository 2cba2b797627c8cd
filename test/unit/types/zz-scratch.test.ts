import { it } from 'vitest';
import { inProcess, realRedis } from '../../helpers/backends.js';
it('scratch', async () => {
  const h = await inProcess(); const r = await realRedis();
  const cmds: string[][] = [
    ['ZADD','z','1','a','2','b','3','c','1.1','d','1e30','e','-inf','f'],
    ['ZRANGE','z','0','-1','WITHSCORES'],
    ['ZINCRBY','z','0.1','x'],['ZINCRBY','z','0.2','x'],
    ['ZREVRANGE','z','0','2','WITHSCORES'],
    ['ZRANGEBYSCORE','z','(1','+inf','WITHSCORES','LIMIT','1','2'],
    ['ZREVRANGEBYSCORE','z','+inf','(1','WITHSCORES','LIMIT','1','2'],
    ['ZRANK','z','c'],['ZREVRANK','z','c'],['ZSCORE','z','x'],['ZMSCORE','z','x','nope','a'],
    ['ZCOUNT','z','-inf','(2'],['ZADD','l','0','a','0','b','0','c','0','d'],
    ['ZRANGEBYLEX','l','[b','+'],['ZREVRANGEBYLEX','l','+','(a','LIMIT','1','5'],['ZLEXCOUNT','l','-','(c'],
    ['ZRANGESTORE','d','z','0','2'],['ZRANGE','d','0','-1','WITHSCORES'],
    ['ZUNIONSTORE','u','2','z','l','WEIGHTS','2','3','AGGREGATE','MAX'],['ZRANGE','u','0','-1','WITHSCORES'],
    ['ZINTER','2','z','l','WITHSCORES'],['ZDIFF','2','z','l','WITHSCORES'],['ZINTERCARD','2','z','l','LIMIT','1'],
    ['ZPOPMIN','z'],['ZPOPMAX','z','2'],['ZMPOP','2','nope','z','MAX','COUNT','2'],['ZMPOP','1','nope','MIN'],
    ['ZREMRANGEBYRANK','l','1','2'],['ZRANGE','l','0','-1'],['ZSCAN','l','0'],
    ['ZADD','z','GT','CH','0','a','100','b'],['ZADD','z','INCR','LT','-1','b'],['OBJECT','ENCODING','z'],
  ];
  for (const c of cmds) {
    const a = await h.conn.call(...c).catch((e: Error) => 'ERR:' + e.message);
    const b = await r.conn.call(...c).catch((e: Error) => 'ERR:' + e.message);
    const same = JSON.stringify(a) === JSON.stringify(b);
    console.log(same ? 'OK  ' : 'DIFF', c.join(' '), JSON.stringify(a), same ? '' : 'redis: ' + JSON.stringify(b));
  }
  await h.close(); await r.close();
});

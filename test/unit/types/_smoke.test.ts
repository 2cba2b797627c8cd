import { it, expect } from 'vitest';
import { inProcess } from '../../helpers/backends.js';
it('smoke', async () => {
  const b = await inProcess();
  const c = b.conn;
  const r: any[] = [];
  for (const cmd of [
    ['HSET','h','a','1','b','2'], ['HGETALL','h'], ['HINCRBYFLOAT','h','a','0.1'], ['HINCRBY','h','b','5'], ['HRANDFIELD','h','-3','WITHVALUES'],
    ['SADD','s','3','1','2'], ['SMEMBERS','s'], ['SADD','t','a','b','3'], ['SINTER','s','t'], ['SUNION','s','t'], ['SDIFF','s','t'], ['SPOP','s','2'], ['SMEMBERS','s'],
    ['OBJECT','ENCODING','s'], ['OBJECT','ENCODING','t'], ['OBJECT','ENCODING','h'], ['HSCAN','h','0'], ['SSCAN','t','0','COUNT','1'],
  ]) { try { r.push([cmd.join(' '), await c.call(...cmd)]); } catch (e) { r.push([cmd.join(' '), 'ERR: ' + (e as Error).message]); } }
  console.log(JSON.stringify(r, null, 0));
  await b.close();
});

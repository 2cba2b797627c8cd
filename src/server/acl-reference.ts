// Redis 7.0.15's command table as its ACL sees it: every command and subcommand with its ACL
// categories and its key specs. ACL rules, ACL CAT and the rule strings of ACL LIST / GETUSER are
// computed over this table (joined with Hoard's own), so a user described by the same rules gets
// the same bitmap, the same `+@category` summary and the same single-command corrections as on
// redis-server 7.0 — including commands Hoard does not implement yet (+xadd is a valid rule
// there, and counts when ACL LIST picks categories). The key specs let the ACL find a command's
// keys, and the permission each needs, exactly as Redis's getKeysUsingKeySpecs does; COMMAND INFO
// reports them as Redis does (flags, begin_search, find_keys and the notes below).
//
// Generated from the `COMMAND` reply of redis-server 7.0.15. One line per command:
//   <fullname> <categories, comma-separated, or -> <key specs, comma-separated, or ->
// A key spec is <flags>.<begin search>.<find keys>:
//   flags        Redis's key-spec flags in its order, '+'-separated: RO|RW|OW|RM, then access,
//                update, insert, delete, not_key (a shard channel), incomplete, variable_flags.
//                The ACL permission follows from them: read for access, write for update,
//                insert or delete (Redis's ACLSelectorCheckKey).
//   begin search i<index> | k<startfrom>:<KEYWORD> | u (unknown)
//   find keys    r<lastkey>:<keystep>:<limit> | n<keynumidx>:<firstkey>:<keystep> | u (unknown)
// Invariant: for every command Hoard implements, its categories equal the ones listed here
// (test/suite/auth-acl.test.ts checks it), and COMMAND INFO's key specs equal Redis's
// (test/integration/command-table-differential.test.ts).

export const REDIS_ACL_COMMANDS = `
acl slow -
acl|cat slow -
acl|deluser admin,slow,dangerous -
acl|dryrun admin,slow,dangerous -
acl|genpass slow -
acl|getuser admin,slow,dangerous -
acl|help slow -
acl|list admin,slow,dangerous -
acl|load admin,slow,dangerous -
acl|log admin,slow,dangerous -
acl|save admin,slow,dangerous -
acl|setuser admin,slow,dangerous -
acl|users admin,slow,dangerous -
acl|whoami slow -
append write,string,fast RW+insert.i1.r0:1:0
asking fast,connection -
auth fast,connection -
bgrewriteaof admin,slow,dangerous -
bgsave admin,slow,dangerous -
bitcount read,bitmap,slow RO+access.i1.r0:1:0
bitfield write,bitmap,slow RW+access+update+variable_flags.i1.r0:1:0
bitfield_ro read,bitmap,fast RO+access.i1.r0:1:0
bitop write,bitmap,slow OW+update.i2.r0:1:0,RO+access.i3.r-1:1:0
bitpos read,bitmap,slow RO+access.i1.r0:1:0
blmove write,list,slow,blocking RW+access+delete.i1.r0:1:0,RW+insert.i2.r0:1:0
blmpop write,list,slow,blocking RW+access+delete.i2.n0:1:1
blpop write,list,slow,blocking RW+access+delete.i1.r-2:1:0
brpop write,list,slow,blocking RW+access+delete.i1.r-2:1:0
brpoplpush write,list,slow,blocking RW+access+delete.i1.r0:1:0,RW+insert.i2.r0:1:0
bzmpop write,sortedset,slow,blocking RW+access+delete.i2.n0:1:1
bzpopmax write,sortedset,fast,blocking RW+access+delete.i1.r-2:1:0
bzpopmin write,sortedset,fast,blocking RW+access+delete.i1.r-2:1:0
client slow -
client|caching slow,connection -
client|getname slow,connection -
client|getredir slow,connection -
client|help slow,connection -
client|id slow,connection -
client|info slow,connection -
client|kill admin,slow,dangerous,connection -
client|list admin,slow,dangerous,connection -
client|no-evict admin,slow,dangerous,connection -
client|pause admin,slow,dangerous,connection -
client|reply slow,connection -
client|setname slow,connection -
client|tracking slow,connection -
client|trackinginfo slow,connection -
client|unblock admin,slow,dangerous,connection -
client|unpause admin,slow,dangerous,connection -
cluster slow -
cluster|addslots admin,slow,dangerous -
cluster|addslotsrange admin,slow,dangerous -
cluster|bumpepoch admin,slow,dangerous -
cluster|count-failure-reports admin,slow,dangerous -
cluster|countkeysinslot slow -
cluster|delslots admin,slow,dangerous -
cluster|delslotsrange admin,slow,dangerous -
cluster|failover admin,slow,dangerous -
cluster|flushslots admin,slow,dangerous -
cluster|forget admin,slow,dangerous -
cluster|getkeysinslot slow -
cluster|help slow -
cluster|info slow -
cluster|keyslot slow -
cluster|links slow -
cluster|meet admin,slow,dangerous -
cluster|myid slow -
cluster|nodes slow -
cluster|replicas admin,slow,dangerous -
cluster|replicate admin,slow,dangerous -
cluster|reset admin,slow,dangerous -
cluster|saveconfig admin,slow,dangerous -
cluster|set-config-epoch admin,slow,dangerous -
cluster|setslot admin,slow,dangerous -
cluster|shards slow -
cluster|slaves admin,slow,dangerous -
cluster|slots slow -
command slow,connection -
command|count slow,connection -
command|docs slow,connection -
command|getkeys slow,connection -
command|getkeysandflags slow,connection -
command|help slow,connection -
command|info slow,connection -
command|list slow,connection -
config slow -
config|get admin,slow,dangerous -
config|help slow -
config|resetstat admin,slow,dangerous -
config|rewrite admin,slow,dangerous -
config|set admin,slow,dangerous -
copy keyspace,write,slow RO+access.i1.r0:1:0,OW+update.i2.r0:1:0
dbsize keyspace,read,fast -
debug admin,slow,dangerous -
decr write,string,fast RW+access+update.i1.r0:1:0
decrby write,string,fast RW+access+update.i1.r0:1:0
del keyspace,write,slow RM+delete.i1.r-1:1:0
discard fast,transaction -
dump keyspace,read,slow RO+access.i1.r0:1:0
echo fast,connection -
eval slow,scripting RW+access+update.i2.n0:1:1
eval_ro slow,scripting RO+access.i2.n0:1:1
evalsha slow,scripting RW+access+update.i2.n0:1:1
evalsha_ro slow,scripting RO+access.i2.n0:1:1
exec slow,transaction -
exists keyspace,read,fast RO.i1.r-1:1:0
expire keyspace,write,fast RW+update.i1.r0:1:0
expireat keyspace,write,fast RW+update.i1.r0:1:0
expiretime keyspace,read,fast RO+access.i1.r0:1:0
failover admin,slow,dangerous -
fcall slow,scripting RW+access+update.i2.n0:1:1
fcall_ro slow,scripting RO+access.i2.n0:1:1
flushall keyspace,write,slow,dangerous -
flushdb keyspace,write,slow,dangerous -
function slow -
function|delete write,slow,scripting -
function|dump slow,scripting -
function|flush write,slow,scripting -
function|help slow,scripting -
function|kill slow,scripting -
function|list slow,scripting -
function|load write,slow,scripting -
function|restore write,slow,scripting -
function|stats slow,scripting -
geoadd write,geo,slow RW+update.i1.r0:1:0
geodist read,geo,slow RO+access.i1.r0:1:0
geohash read,geo,slow RO+access.i1.r0:1:0
geopos read,geo,slow RO+access.i1.r0:1:0
georadius write,geo,slow RO+access.i1.r0:1:0,OW+update.k6:STORE.r0:1:0,OW+update.k6:STOREDIST.r0:1:0
georadius_ro read,geo,slow RO+access.i1.r0:1:0
georadiusbymember write,geo,slow RO+access.i1.r0:1:0,OW+update.k5:STORE.r0:1:0,OW+update.k5:STOREDIST.r0:1:0
georadiusbymember_ro read,geo,slow RO+access.i1.r0:1:0
geosearch read,geo,slow RO+access.i1.r0:1:0
geosearchstore write,geo,slow OW+update.i1.r0:1:0,RO+access.i2.r0:1:0
get read,string,fast RO+access.i1.r0:1:0
getbit read,bitmap,fast RO+access.i1.r0:1:0
getdel write,string,fast RW+access+delete.i1.r0:1:0
getex write,string,fast RW+access+update.i1.r0:1:0
getrange read,string,slow RO+access.i1.r0:1:0
getset write,string,fast RW+access+update.i1.r0:1:0
hdel write,hash,fast RW+delete.i1.r0:1:0
hello fast,connection -
hexists read,hash,fast RO.i1.r0:1:0
hget read,hash,fast RO+access.i1.r0:1:0
hgetall read,hash,slow RO+access.i1.r0:1:0
hincrby write,hash,fast RW+access+update.i1.r0:1:0
hincrbyfloat write,hash,fast RW+access+update.i1.r0:1:0
hkeys read,hash,slow RO+access.i1.r0:1:0
hlen read,hash,fast RO.i1.r0:1:0
hmget read,hash,fast RO+access.i1.r0:1:0
hmset write,hash,fast RW+update.i1.r0:1:0
hrandfield read,hash,slow RO+access.i1.r0:1:0
hscan read,hash,slow RO+access.i1.r0:1:0
hset write,hash,fast RW+update.i1.r0:1:0
hsetnx write,hash,fast RW+insert.i1.r0:1:0
hstrlen read,hash,fast RO.i1.r0:1:0
hvals read,hash,slow RO+access.i1.r0:1:0
incr write,string,fast RW+access+update.i1.r0:1:0
incrby write,string,fast RW+access+update.i1.r0:1:0
incrbyfloat write,string,fast RW+access+update.i1.r0:1:0
info slow,dangerous -
keys keyspace,read,slow,dangerous -
lastsave admin,fast,dangerous -
latency slow -
latency|doctor admin,slow,dangerous -
latency|graph admin,slow,dangerous -
latency|help slow -
latency|histogram admin,slow,dangerous -
latency|history admin,slow,dangerous -
latency|latest admin,slow,dangerous -
latency|reset admin,slow,dangerous -
lcs read,string,slow RO+access.i1.r1:1:0
lindex read,list,slow RO+access.i1.r0:1:0
linsert write,list,slow RW+insert.i1.r0:1:0
llen read,list,fast RO.i1.r0:1:0
lmove write,list,slow RW+access+delete.i1.r0:1:0,RW+insert.i2.r0:1:0
lmpop write,list,slow RW+access+delete.i1.n0:1:1
lolwut read,fast -
lpop write,list,fast RW+access+delete.i1.r0:1:0
lpos read,list,slow RO+access.i1.r0:1:0
lpush write,list,fast RW+insert.i1.r0:1:0
lpushx write,list,fast RW+insert.i1.r0:1:0
lrange read,list,slow RO+access.i1.r0:1:0
lrem write,list,slow RW+delete.i1.r0:1:0
lset write,list,slow RW+update.i1.r0:1:0
ltrim write,list,slow RW+delete.i1.r0:1:0
memory slow -
memory|doctor slow -
memory|help slow -
memory|malloc-stats slow -
memory|purge slow -
memory|stats slow -
memory|usage read,slow RO.i2.r0:1:0
mget read,string,fast RO+access.i1.r-1:1:0
migrate keyspace,write,slow,dangerous RW+access+delete.i3.r0:1:0,RW+access+delete+incomplete.k-2:KEYS.r-1:1:0
module slow -
module|help slow -
module|list admin,slow,dangerous -
module|load admin,slow,dangerous -
module|loadex admin,slow,dangerous -
module|unload admin,slow,dangerous -
monitor admin,slow,dangerous -
move keyspace,write,fast RW+access+update.i1.r0:1:0
mset write,string,slow OW+update.i1.r-1:2:0
msetnx write,string,slow OW+insert.i1.r-1:2:0
multi fast,transaction -
object slow -
object|encoding keyspace,read,slow RO.i2.r0:1:0
object|freq keyspace,read,slow RO.i2.r0:1:0
object|help keyspace,slow -
object|idletime keyspace,read,slow RO.i2.r0:1:0
object|refcount keyspace,read,slow RO.i2.r0:1:0
persist keyspace,write,fast RW+update.i1.r0:1:0
pexpire keyspace,write,fast RW+update.i1.r0:1:0
pexpireat keyspace,write,fast RW+update.i1.r0:1:0
pexpiretime keyspace,read,fast RO+access.i1.r0:1:0
pfadd write,hyperloglog,fast RW+insert.i1.r0:1:0
pfcount read,hyperloglog,slow RW+access.i1.r-1:1:0
pfdebug write,hyperloglog,admin,slow,dangerous RW+access.i2.r0:1:0
pfmerge write,hyperloglog,slow RW+access+insert.i1.r0:1:0,RO+access.i2.r-1:1:0
pfselftest hyperloglog,admin,slow,dangerous -
ping fast,connection -
psetex write,string,slow OW+update.i1.r0:1:0
psubscribe pubsub,slow -
psync admin,slow,dangerous -
pttl keyspace,read,fast RO+access.i1.r0:1:0
publish pubsub,fast -
pubsub slow -
pubsub|channels pubsub,slow -
pubsub|help slow -
pubsub|numpat pubsub,slow -
pubsub|numsub pubsub,slow -
pubsub|shardchannels pubsub,slow -
pubsub|shardnumsub pubsub,slow -
punsubscribe pubsub,slow -
quit fast,connection -
randomkey keyspace,read,slow -
readonly fast,connection -
readwrite fast,connection -
rename keyspace,write,slow RW+access+delete.i1.r0:1:0,OW+update.i2.r0:1:0
renamenx keyspace,write,fast RW+access+delete.i1.r0:1:0,OW+insert.i2.r0:1:0
replconf admin,slow,dangerous -
replicaof admin,slow,dangerous -
reset fast,connection -
restore keyspace,write,slow,dangerous OW+update.i1.r0:1:0
restore-asking keyspace,write,slow,dangerous OW+update.i1.r0:1:0
role admin,fast,dangerous -
rpop write,list,fast RW+access+delete.i1.r0:1:0
rpoplpush write,list,slow RW+access+delete.i1.r0:1:0,RW+insert.i2.r0:1:0
rpush write,list,fast RW+insert.i1.r0:1:0
rpushx write,list,fast RW+insert.i1.r0:1:0
sadd write,set,fast RW+insert.i1.r0:1:0
save admin,slow,dangerous -
scan keyspace,read,slow -
scard read,set,fast RO.i1.r0:1:0
script slow -
script|debug slow,scripting -
script|exists slow,scripting -
script|flush slow,scripting -
script|help slow,scripting -
script|kill slow,scripting -
script|load slow,scripting -
sdiff read,set,slow RO+access.i1.r-1:1:0
sdiffstore write,set,slow OW+update.i1.r0:1:0,RO+access.i2.r-1:1:0
select fast,connection -
set write,string,slow RW+access+update+variable_flags.i1.r0:1:0
setbit write,bitmap,slow RW+access+update.i1.r0:1:0
setex write,string,slow OW+update.i1.r0:1:0
setnx write,string,fast OW+insert.i1.r0:1:0
setrange write,string,slow RW+update.i1.r0:1:0
shutdown admin,slow,dangerous -
sinter read,set,slow RO+access.i1.r-1:1:0
sintercard read,set,slow RO+access.i1.n0:1:1
sinterstore write,set,slow RW+update.i1.r0:1:0,RO+access.i2.r-1:1:0
sismember read,set,fast RO.i1.r0:1:0
slaveof admin,slow,dangerous -
slowlog slow -
slowlog|get admin,slow,dangerous -
slowlog|help slow -
slowlog|len admin,slow,dangerous -
slowlog|reset admin,slow,dangerous -
smembers read,set,slow RO+access.i1.r0:1:0
smismember read,set,fast RO+access.i1.r0:1:0
smove write,set,fast RW+access+delete.i1.r0:1:0,RW+insert.i2.r0:1:0
sort write,set,sortedset,list,slow,dangerous RO+access.i1.r0:1:0,RO+access.u.u,OW+update.u.u
sort_ro read,set,sortedset,list,slow,dangerous RO+access.i1.r0:1:0,RO+access.u.u
spop write,set,fast RW+access+delete.i1.r0:1:0
spublish pubsub,fast not_key.i1.r0:1:0
srandmember read,set,slow RO+access.i1.r0:1:0
srem write,set,fast RW+delete.i1.r0:1:0
sscan read,set,slow RO+access.i1.r0:1:0
ssubscribe pubsub,slow not_key.i1.r-1:1:0
strlen read,string,fast RO.i1.r0:1:0
subscribe pubsub,slow -
substr read,string,slow RO+access.i1.r0:1:0
sunion read,set,slow RO+access.i1.r-1:1:0
sunionstore write,set,slow OW+update.i1.r0:1:0,RO+access.i2.r-1:1:0
sunsubscribe pubsub,slow not_key.i1.r-1:1:0
swapdb keyspace,write,fast,dangerous -
sync admin,slow,dangerous -
time fast -
touch keyspace,read,fast RO.i1.r-1:1:0
ttl keyspace,read,fast RO+access.i1.r0:1:0
type keyspace,read,fast RO.i1.r0:1:0
unlink keyspace,write,fast RM+delete.i1.r-1:1:0
unsubscribe pubsub,slow -
unwatch fast,transaction -
wait slow,connection -
watch fast,transaction RO.i1.r-1:1:0
xack write,stream,fast RW+update.i1.r0:1:0
xadd write,stream,fast RW+update.i1.r0:1:0
xautoclaim write,stream,fast RW+delete.i1.r0:1:0
xclaim write,stream,fast RW+update.i1.r0:1:0
xdel write,stream,fast RW+delete.i1.r0:1:0
xgroup slow -
xgroup|create write,stream,slow RW+insert.i2.r0:1:0
xgroup|createconsumer write,stream,slow RW+insert.i2.r0:1:0
xgroup|delconsumer write,stream,slow RW+delete.i2.r0:1:0
xgroup|destroy write,stream,slow RW+delete.i2.r0:1:0
xgroup|help stream,slow -
xgroup|setid write,stream,slow RW+update.i2.r0:1:0
xinfo slow -
xinfo|consumers read,stream,slow RO+access.i2.r0:1:0
xinfo|groups read,stream,slow RO+access.i2.r0:1:0
xinfo|help stream,slow -
xinfo|stream read,stream,slow RO+access.i2.r0:1:0
xlen read,stream,fast RO.i1.r0:1:0
xpending read,stream,slow RO+access.i1.r0:1:0
xrange read,stream,slow RO+access.i1.r0:1:0
xread read,stream,slow,blocking RO+access.k1:STREAMS.r-1:1:2
xreadgroup write,stream,slow,blocking RO+access.k4:STREAMS.r-1:1:2
xrevrange read,stream,slow RO+access.i1.r0:1:0
xsetid write,stream,fast RW+update.i1.r0:1:0
xtrim write,stream,slow RW+delete.i1.r0:1:0
zadd write,sortedset,fast RW+update.i1.r0:1:0
zcard read,sortedset,fast RO.i1.r0:1:0
zcount read,sortedset,fast RO+access.i1.r0:1:0
zdiff read,sortedset,slow RO+access.i1.n0:1:1
zdiffstore write,sortedset,slow OW+update.i1.r0:1:0,RO+access.i2.n0:1:1
zincrby write,sortedset,fast RW+access+update.i1.r0:1:0
zinter read,sortedset,slow RO+access.i1.n0:1:1
zintercard read,sortedset,slow RO+access.i1.n0:1:1
zinterstore write,sortedset,slow OW+update.i1.r0:1:0,RO+access.i2.n0:1:1
zlexcount read,sortedset,fast RO+access.i1.r0:1:0
zmpop write,sortedset,slow RW+access+delete.i1.n0:1:1
zmscore read,sortedset,fast RO+access.i1.r0:1:0
zpopmax write,sortedset,fast RW+access+delete.i1.r0:1:0
zpopmin write,sortedset,fast RW+access+delete.i1.r0:1:0
zrandmember read,sortedset,slow RO+access.i1.r0:1:0
zrange read,sortedset,slow RO+access.i1.r0:1:0
zrangebylex read,sortedset,slow RO+access.i1.r0:1:0
zrangebyscore read,sortedset,slow RO+access.i1.r0:1:0
zrangestore write,sortedset,slow OW+update.i1.r0:1:0,RO+access.i2.r0:1:0
zrank read,sortedset,fast RO+access.i1.r0:1:0
zrem write,sortedset,fast RW+delete.i1.r0:1:0
zremrangebylex write,sortedset,slow RW+delete.i1.r0:1:0
zremrangebyrank write,sortedset,slow RW+delete.i1.r0:1:0
zremrangebyscore write,sortedset,slow RW+delete.i1.r0:1:0
zrevrange read,sortedset,slow RO+access.i1.r0:1:0
zrevrangebylex read,sortedset,slow RO+access.i1.r0:1:0
zrevrangebyscore read,sortedset,slow RO+access.i1.r0:1:0
zrevrank read,sortedset,fast RO+access.i1.r0:1:0
zscan read,sortedset,slow RO+access.i1.r0:1:0
zscore read,sortedset,fast RO+access.i1.r0:1:0
zunion read,sortedset,slow RO+access.i1.n0:1:1
zunionstore write,sortedset,slow OW+update.i1.r0:1:0,RO+access.i2.n0:1:1
`;

/** The key specs' notes (COMMAND INFO shows them), by "<fullname> <key spec index>". */
export const REDIS_KEY_SPEC_NOTES: Readonly<Record<string, string>> = {
  'bitfield 0': 'This command allows both access and modification of the key',
  'eval 0': 'We cannot tell how the keys will be used so we assume the worst, RW and UPDATE',
  'eval_ro 0': 'We cannot tell how the keys will be used so we assume the worst, RO and ACCESS',
  'fcall 0': 'We cannot tell how the keys will be used so we assume the worst, RW and UPDATE',
  'fcall_ro 0': 'We cannot tell how the keys will be used so we assume the worst, RO and ACCESS',
  'getex 0': 'RW and UPDATE because it changes the TTL',
  'pfcount 0': 'RW because it may change the internal representation of the key, and propagate to replicas',
  'set 0': 'RW and ACCESS due to the optional `GET` argument',
  'sort 1': "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort",
  'sort 2': "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array",
  'sort_ro 1': "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort",
  'xadd 0': 'UPDATE instead of INSERT because of the optional trimming feature',
};

// Server, admin and introspection commands (COMMAND, CONFIG, INFO, CLIENT, TIME, LASTSAVE, DEBUG,
// SHUTDOWN, LATENCY, SLOWLOG, MEMORY, LOLWUT) against every backend. Every expectation below was
// observed on redis-server 7.0.15; values that differ by nature between servers (memory figures,
// ids, addresses, the number of commands) are checked for shape only.

import { it, expect } from 'vitest';
import { commandSuite, sleep } from '../helpers/suite.js';
import { RawFrames } from '../helpers/raw-conn.js';

const SYNTAX = 'ERR syntax error';
const NOT_INTEGER = 'ERR value is not an integer or out of range';

/** Redis 7.0.15's COMMAND INFO for the commands this family declares: arity, flags, keys, categories. */
const EXPECTED_INFO: Record<string, [number, string[], number, number, number, string[]]> = {
  'command': [-1, ['loading', 'stale'], 0, 0, 0, ['@slow', '@connection']],
  'command|count': [2, ['loading', 'stale'], 0, 0, 0, ['@slow', '@connection']],
  'command|docs': [-2, ['loading', 'stale'], 0, 0, 0, ['@slow', '@connection']],
  'command|getkeys': [-4, ['loading', 'stale'], 0, 0, 0, ['@slow', '@connection']],
  'command|help': [2, ['loading', 'stale'], 0, 0, 0, ['@slow', '@connection']],
  'command|info': [-2, ['loading', 'stale'], 0, 0, 0, ['@slow', '@connection']],
  'command|list': [-2, ['loading', 'stale'], 0, 0, 0, ['@slow', '@connection']],
  'config': [-2, [], 0, 0, 0, ['@slow']],
  'config|get': [-3, ['admin', 'noscript', 'loading', 'stale'], 0, 0, 0, ['@admin', '@slow', '@dangerous']],
  'config|set': [-4, ['admin', 'noscript', 'loading', 'stale'], 0, 0, 0, ['@admin', '@slow', '@dangerous']],
  'config|resetstat': [2, ['admin', 'noscript', 'loading', 'stale'], 0, 0, 0, ['@admin', '@slow', '@dangerous']],
  'config|rewrite': [2, ['admin', 'noscript', 'loading', 'stale'], 0, 0, 0, ['@admin', '@slow', '@dangerous']],
  'config|help': [2, ['loading', 'stale'], 0, 0, 0, ['@slow']],
  'info': [-1, ['loading', 'stale'], 0, 0, 0, ['@slow', '@dangerous']],
  'cluster': [-2, [], 0, 0, 0, ['@slow']],
  'cluster|info': [2, ['stale'], 0, 0, 0, ['@slow']],
  'cluster|reset': [-2, ['admin', 'noscript', 'stale'], 0, 0, 0, ['@admin', '@slow', '@dangerous']],
  'cluster|addslots': [-3, ['admin', 'stale', 'no_async_loading'], 0, 0, 0, ['@admin', '@slow', '@dangerous']],
  'readonly': [1, ['loading', 'stale', 'fast'], 0, 0, 0, ['@fast', '@connection']],
  'asking': [1, ['fast'], 0, 0, 0, ['@fast', '@connection']],
  'client': [-2, [], 0, 0, 0, ['@slow']],
  'client|id': [2, ['noscript', 'loading', 'stale'], 0, 0, 0, ['@slow', '@connection']],
  'client|info': [2, ['noscript', 'loading', 'stale'], 0, 0, 0, ['@slow', '@connection']],
  'client|getname': [2, ['noscript', 'loading', 'stale'], 0, 0, 0, ['@slow', '@connection']],
  'client|setname': [3, ['noscript', 'loading', 'stale'], 0, 0, 0, ['@slow', '@connection']],
  'client|getredir': [2, ['noscript', 'loading', 'stale'], 0, 0, 0, ['@slow', '@connection']],
  'client|reply': [3, ['noscript', 'loading', 'stale'], 0, 0, 0, ['@slow', '@connection']],
  'client|list': [-2, ['admin', 'noscript', 'loading', 'stale'], 0, 0, 0, ['@admin', '@slow', '@dangerous', '@connection']],
  'client|kill': [-3, ['admin', 'noscript', 'loading', 'stale'], 0, 0, 0, ['@admin', '@slow', '@dangerous', '@connection']],
  'client|no-evict': [3, ['admin', 'noscript', 'loading', 'stale'], 0, 0, 0, ['@admin', '@slow', '@dangerous', '@connection']],
  'client|help': [2, ['loading', 'stale'], 0, 0, 0, ['@slow', '@connection']],
  'time': [1, ['loading', 'stale', 'fast'], 0, 0, 0, ['@fast']],
  'lastsave': [1, ['loading', 'stale', 'fast'], 0, 0, 0, ['@admin', '@fast', '@dangerous']],
  'debug': [-2, ['admin', 'noscript', 'loading', 'stale'], 0, 0, 0, ['@admin', '@slow', '@dangerous']],
  'shutdown': [-1, ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'], 0, 0, 0, ['@admin', '@slow', '@dangerous']],
  'latency': [-2, [], 0, 0, 0, ['@slow']],
  'latency|latest': [2, ['admin', 'noscript', 'loading', 'stale'], 0, 0, 0, ['@admin', '@slow', '@dangerous']],
  'latency|history': [3, ['admin', 'noscript', 'loading', 'stale'], 0, 0, 0, ['@admin', '@slow', '@dangerous']],
  'latency|reset': [-2, ['admin', 'noscript', 'loading', 'stale'], 0, 0, 0, ['@admin', '@slow', '@dangerous']],
  'latency|doctor': [2, ['admin', 'noscript', 'loading', 'stale'], 0, 0, 0, ['@admin', '@slow', '@dangerous']],
  'latency|help': [2, ['loading', 'stale'], 0, 0, 0, ['@slow']],
  'slowlog': [-2, [], 0, 0, 0, ['@slow']],
  'slowlog|get': [-2, ['admin', 'loading', 'stale'], 0, 0, 0, ['@admin', '@slow', '@dangerous']],
  'slowlog|len': [2, ['admin', 'loading', 'stale'], 0, 0, 0, ['@admin', '@slow', '@dangerous']],
  'slowlog|reset': [2, ['admin', 'loading', 'stale'], 0, 0, 0, ['@admin', '@slow', '@dangerous']],
  'slowlog|help': [2, ['loading', 'stale'], 0, 0, 0, ['@slow']],
  'memory': [-2, [], 0, 0, 0, ['@slow']],
  'memory|usage': [-3, ['readonly'], 2, 2, 1, ['@read', '@slow']],
  'memory|stats': [2, [], 0, 0, 0, ['@slow']],
  'memory|doctor': [2, [], 0, 0, 0, ['@slow']],
  'memory|purge': [2, [], 0, 0, 0, ['@slow']],
  'memory|malloc-stats': [2, [], 0, 0, 0, ['@slow']],
  'memory|help': [2, ['loading', 'stale'], 0, 0, 0, ['@slow']],
  'lolwut': [-1, ['readonly', 'fast'], 0, 0, 0, ['@read', '@fast']],
  // A few data commands, to check the table's rendering of key positions and flags.
  'get': [2, ['readonly', 'fast'], 1, 1, 1, ['@read', '@string', '@fast']],
  'set': [-3, ['write', 'denyoom'], 1, 1, 1, ['@write', '@string', '@slow']],
};

/** INFO field names of redis-server 7.0.15, per section (Hoard may add fields, never lack these). */
const INFO_FIELDS: Record<string, string[]> = {
  Server: [
    'redis_version', 'redis_git_sha1', 'redis_git_dirty', 'redis_build_id', 'redis_mode', 'os', 'arch_bits',
    'monotonic_clock', 'multiplexing_api', 'atomicvar_api', 'gcc_version', 'process_id', 'process_supervised',
    'run_id', 'tcp_port', 'server_time_usec', 'uptime_in_seconds', 'uptime_in_days', 'hz', 'configured_hz',
    'lru_clock', 'executable', 'config_file', 'io_threads_active',
  ],
  Clients: [
    'connected_clients', 'cluster_connections', 'maxclients', 'client_recent_max_input_buffer',
    'client_recent_max_output_buffer', 'blocked_clients', 'tracking_clients', 'clients_in_timeout_table',
  ],
  Memory: [
    'used_memory', 'used_memory_human', 'used_memory_rss', 'used_memory_rss_human', 'used_memory_peak',
    'used_memory_peak_human', 'used_memory_peak_perc', 'used_memory_overhead', 'used_memory_startup',
    'used_memory_dataset', 'used_memory_dataset_perc', 'allocator_allocated', 'allocator_active',
    'allocator_resident', 'total_system_memory', 'total_system_memory_human', 'used_memory_lua',
    'used_memory_vm_eval', 'used_memory_lua_human', 'used_memory_scripts_eval', 'number_of_cached_scripts',
    'number_of_functions', 'number_of_libraries', 'used_memory_vm_functions', 'used_memory_vm_total',
    'used_memory_vm_total_human', 'used_memory_functions', 'used_memory_scripts', 'used_memory_scripts_human',
    'maxmemory', 'maxmemory_human', 'maxmemory_policy', 'allocator_frag_ratio', 'allocator_frag_bytes',
    'allocator_rss_ratio', 'allocator_rss_bytes', 'rss_overhead_ratio', 'rss_overhead_bytes',
    'mem_fragmentation_ratio', 'mem_fragmentation_bytes', 'mem_not_counted_for_evict', 'mem_replication_backlog',
    'mem_total_replication_buffers', 'mem_clients_slaves', 'mem_clients_normal', 'mem_cluster_links',
    'mem_aof_buffer', 'mem_allocator', 'active_defrag_running', 'lazyfree_pending_objects', 'lazyfreed_objects',
  ],
  Persistence: [
    'loading', 'async_loading', 'current_cow_peak', 'current_cow_size', 'current_cow_size_age', 'current_fork_perc',
    'current_save_keys_processed', 'current_save_keys_total', 'rdb_changes_since_last_save', 'rdb_bgsave_in_progress',
    'rdb_last_save_time', 'rdb_last_bgsave_status', 'rdb_last_bgsave_time_sec', 'rdb_current_bgsave_time_sec',
    'rdb_saves', 'rdb_last_cow_size', 'rdb_last_load_keys_expired', 'rdb_last_load_keys_loaded', 'aof_enabled',
    'aof_rewrite_in_progress', 'aof_rewrite_scheduled', 'aof_last_rewrite_time_sec', 'aof_current_rewrite_time_sec',
    'aof_last_bgrewrite_status', 'aof_rewrites', 'aof_rewrites_consecutive_failures', 'aof_last_write_status',
    'aof_last_cow_size', 'module_fork_in_progress', 'module_fork_last_cow_size',
  ],
  Stats: [
    'total_connections_received', 'total_commands_processed', 'instantaneous_ops_per_sec', 'total_net_input_bytes',
    'total_net_output_bytes', 'total_net_repl_input_bytes', 'total_net_repl_output_bytes', 'instantaneous_input_kbps',
    'instantaneous_output_kbps', 'instantaneous_input_repl_kbps', 'instantaneous_output_repl_kbps',
    'rejected_connections', 'sync_full', 'sync_partial_ok', 'sync_partial_err', 'expired_keys', 'expired_stale_perc',
    'expired_time_cap_reached_count', 'expire_cycle_cpu_milliseconds', 'evicted_keys', 'evicted_clients',
    'total_eviction_exceeded_time', 'current_eviction_exceeded_time', 'keyspace_hits', 'keyspace_misses',
    'pubsub_channels', 'pubsub_patterns', 'pubsubshard_channels', 'latest_fork_usec', 'total_forks',
    'migrate_cached_sockets', 'slave_expires_tracked_keys', 'active_defrag_hits', 'active_defrag_misses',
    'active_defrag_key_hits', 'active_defrag_key_misses', 'total_active_defrag_time', 'current_active_defrag_time',
    'tracking_total_keys', 'tracking_total_items', 'tracking_total_prefixes', 'unexpected_error_replies',
    'total_error_replies', 'dump_payload_sanitizations', 'total_reads_processed', 'total_writes_processed',
    'io_threaded_reads_processed', 'io_threaded_writes_processed', 'reply_buffer_shrinks', 'reply_buffer_expands',
  ],
  Replication: [
    'role', 'connected_slaves', 'master_failover_state', 'master_replid', 'master_replid2', 'master_repl_offset',
    'second_repl_offset', 'repl_backlog_active', 'repl_backlog_size', 'repl_backlog_first_byte_offset',
    'repl_backlog_histlen',
  ],
  CPU: ['used_cpu_sys', 'used_cpu_user', 'used_cpu_sys_children', 'used_cpu_user_children', 'used_cpu_sys_main_thread', 'used_cpu_user_main_thread'],
  Cluster: ['cluster_enabled'],
};

const CLIENT_FIELDS = [
  'id', 'addr', 'laddr', 'fd', 'name', 'age', 'idle', 'flags', 'db', 'sub', 'psub', 'ssub', 'multi', 'qbuf', 'qbuf-free',
  'argv-mem', 'multi-mem', 'rbs', 'rbp', 'obl', 'oll', 'omem', 'tot-mem', 'events', 'cmd', 'user', 'redir', 'resp',
];

/** INFO text → { section header → [field names in order] }. */
function infoSections(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let cur: string[] | null = null;
  for (const line of text.split('\r\n')) {
    if (line.startsWith('# ')) out.set(line.slice(2), (cur = []));
    else if (line !== '' && cur) cur.push(line.slice(0, line.indexOf(':')));
  }
  return out;
}

function infoField(text: string, name: string): string | undefined {
  for (const line of text.split('\r\n')) if (line.startsWith(name + ':')) return line.slice(name.length + 1);
  return undefined;
}

/** CLIENT LIST / CLIENT INFO line → [field, value] pairs in order. */
function clientFields(line: string): Array<[string, string]> {
  return line.split(' ').map((kv) => {
    const i = kv.indexOf('=');
    return [kv.slice(0, i), kv.slice(i + 1)] as [string, string];
  });
}

function clientLines(text: string): Array<Map<string, string>> {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => new Map(clientFields(l)));
}

/** A flat [k1, v1, k2, v2 ...] reply (a RESP2 map) → Map. */
function pairs(flat: unknown[]): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (let i = 0; i < flat.length; i += 2) m.set(flat[i] as string, flat[i + 1]);
  return m;
}

commandSuite('server: COMMAND', (t) => {
  it('COMMAND INFO reports arity, flags, key positions and categories as Redis 7.0 does', async () => {
    const names = Object.keys(EXPECTED_INFO);
    const infos = await t.call('COMMAND', 'INFO', ...names);
    expect(infos).toHaveLength(names.length);
    for (let i = 0; i < names.length; i++) {
      const info = infos[i];
      expect(info, names[i]).toHaveLength(10);
      expect(info[0]).toBe(names[i]);
      expect([info[1], info[2], info[3], info[4], info[5], info[6]], names[i]).toEqual(EXPECTED_INFO[names[i]]);
      expect(Array.isArray(info[7])).toBe(true);
      expect(Array.isArray(info[8])).toBe(true);
      expect(Array.isArray(info[9])).toBe(true);
    }
  });

  it('CLUSTER, READONLY, READWRITE, ASKING: cluster support is disabled, after the usual arity and subcommand checks', async () => {
    const DISABLED = 'ERR This instance has cluster support disabled';
    for (const args of [['CLUSTER', 'INFO'], ['CLUSTER', 'NODES'], ['CLUSTER', 'HELP'], ['CLUSTER', 'KEYSLOT', 'k'], ['CLUSTER', 'SLOTS'], ['READONLY'], ['READWRITE'], ['ASKING']]) {
      expect(await t.error(...args), args.join(' ')).toBe(DISABLED);
    }
    expect(await t.error('CLUSTER')).toBe("ERR wrong number of arguments for 'cluster' command");
    expect(await t.error('CLUSTER', 'INFO', 'x')).toBe("ERR wrong number of arguments for 'cluster|info' command");
    expect(await t.error('CLUSTER', 'FOO')).toBe("ERR unknown subcommand 'FOO'. Try CLUSTER HELP.");
  });

  it('COMMAND INFO lists subcommands of containers; an unknown name is a null element', async () => {
    const [config, nope, get] = await t.call('COMMAND', 'INFO', 'config', 'no-such-command', 'GET');
    expect(config[0]).toBe('config');
    const subs = (config[9] as unknown[][]).map((s) => s[0]);
    expect(subs).toEqual(expect.arrayContaining(['config|get', 'config|set', 'config|resetstat', 'config|rewrite', 'config|help']));
    expect(nope).toBe(null);
    expect(get[0]).toBe('get');
    expect(await t.call('COMMAND', 'INFO', 'config|nope', 'get|x')).toEqual([null, null]);
  });

  it('COMMAND INFO key specs of MEMORY USAGE: begin at index 2, a range of one key', async () => {
    const [[, , , , , , , , specs]] = await t.call('COMMAND', 'INFO', 'memory|usage');
    expect(specs).toHaveLength(1);
    const spec = pairs(specs[0]);
    expect(spec.get('flags')).toContain('RO');
    expect(spec.get('begin_search')).toEqual(['type', 'index', 'spec', ['index', 2]]);
    expect(spec.get('find_keys')).toEqual(['type', 'range', 'spec', ['lastkey', 0, 'keystep', 1, 'limit', 0]]);
  });

  it('COMMAND with no argument describes every command (COMMAND COUNT of them)', async () => {
    const count = await t.call('COMMAND', 'COUNT');
    expect(typeof count).toBe('number');
    expect(count).toBeGreaterThan(10);
    const all = await t.call('COMMAND');
    expect(all).toHaveLength(count);
    const names = (all as unknown[][]).map((c) => c[0]);
    expect(names).toEqual(expect.arrayContaining(['get', 'set', 'command', 'config', 'client', 'info']));
    expect(await t.call('COMMAND', 'INFO')).toHaveLength(count);
  });

  it('COMMAND LIST, with FILTERBY PATTERN / ACLCAT / MODULE', async () => {
    const all: string[] = await t.call('COMMAND', 'LIST');
    expect(all).toEqual(expect.arrayContaining(['get', 'set', 'config', 'config|get', 'client|kill']));
    const conf: string[] = await t.call('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'conf*');
    expect([...conf].sort()).toEqual(['config', 'config|get', 'config|help', 'config|resetstat', 'config|rewrite', 'config|set']);
    expect(await t.call('COMMAND', 'LIST', 'filterby', 'pattern', 'CONFIG|G?T')).toEqual(['config|get']);
    const admin: string[] = await t.call('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'admin');
    expect(admin).toEqual(expect.arrayContaining(['config|get', 'client|kill', 'debug', 'shutdown', 'lastsave', 'slowlog|get']));
    expect(admin).not.toContain('get');
    expect(admin).not.toContain('config');
    expect(await t.call('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'no-such-category')).toEqual([]);
    expect(await t.call('COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'x')).toEqual([]);
    expect(await t.error('COMMAND', 'LIST', 'FILTERBY', 'FOO', 'x')).toBe(SYNTAX);
    expect(await t.error('COMMAND', 'LIST', 'FILTERBY')).toBe(SYNTAX);
    expect(await t.error('COMMAND', 'LIST', 'foo')).toBe(SYNTAX);
  });

  it('COMMAND DOCS: a map per command with summary, since, group; subcommands nested', async () => {
    const docs = pairs(await t.call('COMMAND', 'DOCS', 'get', 'config', 'no-such-command'));
    expect([...docs.keys()]).toEqual(['get', 'config']);
    const get = pairs(docs.get('get') as unknown[]);
    expect(typeof get.get('summary')).toBe('string');
    expect(typeof get.get('since')).toBe('string');
    expect(get.get('group')).toBe('string');
    // Redis 7.0's full docs (redis-cli's HELP and hints are built from them), not just a summary.
    expect(get.get('summary')).toBe('Get the value of a key');
    expect(get.get('since')).toBe('1.0.0');
    expect(get.get('complexity')).toBe('O(1)');
    expect((get.get('arguments') as unknown[][]).map((a) => pairs(a).get('name'))).toEqual(['key']);
    const config = pairs(docs.get('config') as unknown[]);
    expect(config.get('summary')).toBe('A container for server configuration commands');
    expect(config.get('since')).toBe('2.0.0');
    expect(config.get('group')).toBe('server');
    const subs = pairs(config.get('subcommands') as unknown[]);
    expect([...subs.keys()]).toEqual(expect.arrayContaining(['config|get', 'config|set']));
    expect(pairs(subs.get('config|get') as unknown[]).get('summary')).toBe('Get the values of configuration parameters');
    expect(await t.call('COMMAND', 'DOCS', 'no-such-command')).toEqual([]);
    const sub = pairs(await t.call('COMMAND', 'DOCS', 'client|list'));
    expect([...sub.keys()]).toEqual(['client|list']);
    const all = pairs(await t.call('COMMAND', 'DOCS'));
    expect(all.size).toBe(await t.call('COMMAND', 'COUNT'));
  });

  it('COMMAND GETKEYS and its errors', async () => {
    expect(await t.call('COMMAND', 'GETKEYS', 'SET', 'k', 'v')).toEqual(['k']);
    expect(await t.call('COMMAND', 'GETKEYS', 'set', 'k', 'v', 'EX', '10')).toEqual(['k']);
    expect(await t.call('COMMAND', 'GETKEYS', 'MEMORY', 'USAGE', 'k')).toEqual(['k']);
    expect(await t.error('COMMAND', 'GETKEYS', 'no-such-command', 'a')).toBe('ERR Invalid command specified');
    expect(await t.error('COMMAND', 'GETKEYS', 'MEMORY', 'nope', 'x')).toBe('ERR Invalid command specified');
    expect(await t.error('COMMAND', 'GETKEYS', 'PING', 'x')).toBe('ERR The command has no key arguments');
    expect(await t.error('COMMAND', 'GETKEYS', 'CONFIG', 'GET', 'x')).toBe('ERR The command has no key arguments');
    expect(await t.error('COMMAND', 'GETKEYS', 'SET', 'k')).toBe('ERR Invalid number of arguments specified for command');
    expect(await t.error('COMMAND', 'GETKEYS', 'GET', 'a', 'b')).toBe('ERR Invalid number of arguments specified for command');
    expect(await t.error('COMMAND', 'GETKEYS', 'GET')).toBe("ERR wrong number of arguments for 'command|getkeys' command");
  });

  it('COMMAND HELP, unknown subcommands', async () => {
    const help: string[] = await t.call('COMMAND', 'HELP');
    expect(help[0]).toBe('COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help).toContain('GETKEYS <full-command>');
    expect(help.slice(-2)).toEqual(['HELP', '    Prints this help.']);
    expect(await t.error('COMMAND', 'FOO')).toBe("ERR unknown subcommand 'FOO'. Try COMMAND HELP.");
    expect(await t.error('COMMAND', 'COUNT', 'x')).toBe("ERR wrong number of arguments for 'command|count' command");
  });
});

commandSuite('server: CONFIG', (t) => {
  it('CONFIG SET then GET; several pairs at once; GET with globs and several patterns', async () => {
    expect(await t.call('CONFIG', 'SET', 'maxmemory-samples', '7')).toBe('OK');
    expect(await t.call('CONFIG', 'GET', 'maxmemory-samples')).toEqual(['maxmemory-samples', '7']);
    expect(await t.call('CONFIG', 'SET', 'maxmemory-samples', '5', 'slowlog-max-len', '100')).toBe('OK');
    const got = pairs(await t.call('CONFIG', 'GET', 'maxmemory-samples', 'slowlog-max-len', 'maxmemory-samples'));
    // Each option once; Redis answers in its dict's order, not the patterns' order.
    expect([...got.entries()].sort()).toEqual([
      ['maxmemory-samples', '5'],
      ['slowlog-max-len', '100'],
    ]);
    const glob = pairs(await t.call('CONFIG', 'GET', 'maxmemory*'));
    expect([...glob.keys()].sort()).toEqual(['maxmemory', 'maxmemory-clients', 'maxmemory-eviction-tenacity', 'maxmemory-policy', 'maxmemory-samples']);
    expect(glob.get('maxmemory-policy')).toBe('noeviction');
    expect(await t.call('CONFIG', 'GET', 'no-such-option')).toEqual([]);
    expect(await t.call('CONFIG', 'SET', 'slowlog-max-len', '128')).toBe('OK');
  });

  it('CONFIG errors', async () => {
    expect(await t.error('CONFIG', 'SET', 'no-such-option', 'x')).toBe("ERR Unknown option or number of arguments for CONFIG SET - 'no-such-option'");
    expect(await t.error('CONFIG', 'SET', 'maxmemory', 'abc')).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
    );
    expect(await t.error('CONFIG', 'SET', 'maxmemory', '1', 'hz')).toBe(SYNTAX);
    expect(await t.error('CONFIG', 'SET', 'maxmemory')).toBe("ERR wrong number of arguments for 'config|set' command");
    expect(await t.error('CONFIG', 'GET')).toBe("ERR wrong number of arguments for 'config|get' command");
    expect(await t.error('CONFIG')).toBe("ERR wrong number of arguments for 'config' command");
    expect(await t.error('CONFIG', 'FOO')).toBe("ERR unknown subcommand 'FOO'. Try CONFIG HELP.");
    expect(await t.error('CONFIG', 'REWRITE')).toBe('ERR The server is running without a config file');
    const help: string[] = await t.call('CONFIG', 'HELP');
    expect(help[0]).toBe('CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
  });

  it('CONFIG RESETSTAT resets INFO counters but keeps the slow log', async () => {
    await t.call('SET', 'k', 'v');
    await t.call('GET', 'k');
    await t.call('GET', 'missing');
    await t.error('NO-SUCH-COMMAND');
    let info: string = await t.call('INFO', 'stats');
    expect(Number(infoField(info, 'keyspace_hits'))).toBeGreaterThan(0);
    expect(Number(infoField(info, 'keyspace_misses'))).toBeGreaterThan(0);
    expect(await t.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0')).toBe('OK');
    await t.call('PING');
    const before = await t.call('SLOWLOG', 'LEN');
    expect(await t.call('CONFIG', 'RESETSTAT')).toBe('OK');
    info = await t.call('INFO', 'stats');
    expect(infoField(info, 'keyspace_hits')).toBe('0');
    expect(infoField(info, 'keyspace_misses')).toBe('0');
    expect(infoField(info, 'total_error_replies')).toBe('0');
    expect(await t.call('INFO', 'errorstats')).toBe('# Errorstats\r\n');
    expect(await t.call('SLOWLOG', 'LEN')).toBeGreaterThanOrEqual(before);
    expect(await t.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000')).toBe('OK');
    await t.call('SLOWLOG', 'RESET');
  });
});

commandSuite('server: INFO', (t) => {
  it('default sections, in Redis order, with Redis 7.0 field names', async () => {
    const info: string = await t.call('INFO');
    const sections = infoSections(info);
    expect([...sections.keys()]).toEqual(['Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'CPU', 'Modules', 'Errorstats', 'Cluster', 'Keyspace']);
    for (const [name, fields] of Object.entries(INFO_FIELDS)) {
      const got = sections.get(name) ?? [];
      expect(got, name).toEqual(expect.arrayContaining(fields));
      // Redis's relative order of the fields is kept.
      const positions = fields.map((f) => got.indexOf(f));
      expect(positions, name).toEqual([...positions].sort((a, b) => a - b));
    }
    expect(info.endsWith('\r\n')).toBe(true);
    expect(infoField(info, 'redis_version')).toMatch(/^7\.0\./);
    expect(infoField(info, 'role')).toBe('master');
    expect(infoField(info, 'loading')).toBe('0');
    expect(infoField(info, 'run_id')).toMatch(/^[0-9a-f]{40}$/);
  });

  it('all / everything / explicit sections (case-insensitive, any order, unknown ignored)', async () => {
    const all = infoSections(await t.call('INFO', 'all'));
    expect([...all.keys()]).toEqual([
      'Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'CPU', 'Modules', 'Commandstats', 'Errorstats',
      'Latencystats', 'Cluster', 'Keyspace',
    ]);
    expect([...infoSections(await t.call('INFO', 'everything')).keys()]).toEqual([...all.keys()]);
    expect([...infoSections(await t.call('INFO', 'KEYSPACE', 'server', 'nope')).keys()]).toEqual(['Server', 'Keyspace']);
    expect([...infoSections(await t.call('INFO', 'default', 'commandstats')).keys()]).toContain('Commandstats');
    expect(await t.call('INFO', 'no-such-section')).toBe('');
  });

  it('keyspace, commandstats and errorstats lines', async () => {
    await t.call('SET', 'a', '1');
    await t.call('SET', 'b', '1', 'EX', '1000');
    expect(await t.call('INFO', 'keyspace')).toMatch(/^# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=\d+\r\n$/);
    await t.call('CONFIG', 'RESETSTAT');
    await t.call('GET', 'a');
    await t.error('GET');
    const cs: string = await t.call('INFO', 'commandstats');
    expect(cs).toMatch(/cmdstat_get:calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=\d+,failed_calls=0\r\n/);
    expect(cs).toMatch(/cmdstat_config\|resetstat:calls=1,/);
    expect(await t.call('INFO', 'errorstats')).toBe('# Errorstats\r\nerrorstat_ERR:count=1\r\n');
  });

  it("commandstats usec: a pipelined command's time is its own, not the slow command's before it", async () => {
    const raw = await RawFrames.open(t);
    try {
      await t.call('CONFIG', 'RESETSTAT');
      raw.sendPipeline(['DEBUG', 'SLEEP', '0.05'], ['PING'], ['ECHO', 'x']);
      expect(await raw.take(3)).toEqual(['OK', 'PONG', 'x']);
      const cs: string = await t.call('INFO', 'commandstats');
      const usec = (cmd: string) => Number(new RegExp(`cmdstat_${cmd}:calls=1,usec=(\\d+),`).exec(cs)?.[1]);
      expect(usec('debug')).toBeGreaterThanOrEqual(50_000);
      expect(usec('ping')).toBeLessThan(10_000);
      expect(usec('echo')).toBeLessThan(10_000);
    } finally {
      raw.close();
    }
  });
});

commandSuite('server: CLIENT', (t) => {
  it('SETNAME / GETNAME, with 7.0 validation', async () => {
    expect(await t.call('CLIENT', 'GETNAME')).toBe(null);
    expect(await t.call('CLIENT', 'SETNAME', 'worker-1')).toBe('OK');
    expect(await t.call('CLIENT', 'GETNAME')).toBe('worker-1');
    const msg = 'ERR Client names cannot contain spaces, newlines or special characters.';
    expect(await t.error('CLIENT', 'SETNAME', 'a b')).toBe(msg);
    expect(await t.error('CLIENT', 'SETNAME', 'a\nb')).toBe(msg);
    expect(await t.error('CLIENT', 'SETNAME', Buffer.from([0xc3, 0xa9]))).toBe(msg);
    expect(await t.call('CLIENT', 'GETNAME')).toBe('worker-1');
    expect(await t.call('CLIENT', 'SETNAME', '')).toBe('OK');
    expect(await t.call('CLIENT', 'GETNAME')).toBe(null);
    expect(await t.error('CLIENT', 'SETNAME')).toBe("ERR wrong number of arguments for 'client|setname' command");
  });

  it('ID and INFO: the fields of CLIENT LIST in Redis 7.0 order', async () => {
    const id = await t.call('CLIENT', 'ID');
    expect(typeof id).toBe('number');
    await t.call('CLIENT', 'SETNAME', 'me');
    await t.call('SELECT', '3');
    const line: string = await t.call('CLIENT', 'INFO');
    expect(line.endsWith('\n')).toBe(true);
    expect(line.split('\n')).toHaveLength(2);
    const fields = clientFields(line.trimEnd());
    expect(fields.map(([k]) => k)).toEqual(CLIENT_FIELDS);
    const m = new Map(fields);
    expect(m.get('id')).toBe(String(id));
    expect(m.get('name')).toBe('me');
    expect(m.get('db')).toBe('3');
    expect(m.get('cmd')).toBe('client|info');
    expect(m.get('flags')).toBe('N');
    expect(m.get('multi')).toBe('-1');
    expect(m.get('user')).toBe('default');
    expect(m.get('resp')).toBe('2');
    expect(m.get('addr')).toMatch(/:\d+$/);
    await t.call('SELECT', '0');
    await t.call('CLIENT', 'SETNAME', '');
  });

  it('LIST shows every connection; TYPE and ID filters', async () => {
    const other = await t.connect();
    await other.call('CLIENT', 'SETNAME', 'other');
    const otherId = await other.call('CLIENT', 'ID');
    const myId = await t.call('CLIENT', 'ID');
    const list = clientLines(await t.call('CLIENT', 'LIST'));
    const ids = list.map((c) => c.get('id'));
    expect(ids).toEqual(expect.arrayContaining([String(myId), String(otherId)]));
    const me = list.find((c) => c.get('id') === String(myId)) as Map<string, string>;
    expect(me.get('cmd')).toBe('client|list');
    expect([...me.keys()]).toEqual(CLIENT_FIELDS);
    const o = list.find((c) => c.get('id') === String(otherId)) as Map<string, string>;
    expect(o.get('name')).toBe('other');
    expect(o.get('cmd')).toBe('client|id');
    const normal = clientLines(await t.call('CLIENT', 'LIST', 'TYPE', 'normal')).map((c) => c.get('id'));
    expect(normal).toEqual(expect.arrayContaining([String(myId), String(otherId)]));
    expect(await t.call('CLIENT', 'LIST', 'TYPE', 'master')).toBe('');
    expect(await t.call('CLIENT', 'LIST', 'TYPE', 'replica')).toBe('');
    expect(await t.call('CLIENT', 'LIST', 'TYPE', 'slave')).toBe('');
    const byId = clientLines(await t.call('CLIENT', 'LIST', 'ID', String(otherId), '999999999'));
    expect(byId.map((c) => c.get('id'))).toEqual([String(otherId)]);
    expect(await t.call('CLIENT', 'LIST', 'ID', '0')).toBe('');
    expect(await t.error('CLIENT', 'LIST', 'TYPE', 'foo')).toBe("ERR Unknown client type 'foo'");
    expect(await t.error('CLIENT', 'LIST', 'ID', 'abc')).toBe('ERR Invalid client ID');
    expect(await t.error('CLIENT', 'LIST', 'ID')).toBe(SYNTAX);
    expect(await t.error('CLIENT', 'LIST', 'foo')).toBe(SYNTAX);
    expect(await t.error('CLIENT', 'LIST', 'TYPE', 'normal', 'ID', '1')).toBe(SYNTAX);
    await other.close();
  });

  it('KILL by ID (filter form) and by address (old form)', async () => {
    const a = await t.connect();
    const b = await t.connect();
    const aId = await a.call('CLIENT', 'ID');
    const bId = await b.call('CLIENT', 'ID');
    expect(await t.call('CLIENT', 'KILL', 'ID', String(aId))).toBe(1);
    await sleep(50);
    let ids = clientLines(await t.call('CLIENT', 'LIST')).map((c) => c.get('id'));
    expect(ids).not.toContain(String(aId));
    expect(ids).toContain(String(bId));
    // In-process connections have no socket, hence no distinct address to kill by.
    if (t.backend.name !== 'in-process') {
      const bAddr = clientLines(await t.call('CLIENT', 'LIST', 'ID', String(bId)))[0].get('addr') as string;
      expect(await t.call('CLIENT', 'KILL', bAddr)).toBe('OK');
      await sleep(50);
      ids = clientLines(await t.call('CLIENT', 'LIST')).map((c) => c.get('id'));
      expect(ids).not.toContain(String(bId));
    }
    expect(await t.call('CLIENT', 'KILL', 'ID', '999999999')).toBe(0);
    const myId = await t.call('CLIENT', 'ID');
    expect(await t.call('CLIENT', 'KILL', 'ID', String(myId))).toBe(0); // SKIPME yes by default
    expect(await t.call('CLIENT', 'KILL', 'ID', String(myId), 'SKIPME', 'yes')).toBe(0);
    expect(await t.call('CLIENT', 'KILL', 'ADDR', '1.2.3.4:5')).toBe(0);
    expect(await t.call('CLIENT', 'KILL', 'LADDR', '1.2.3.4:5', 'TYPE', 'normal')).toBe(0);
    expect(await t.call('CLIENT', 'KILL', 'USER', 'default', 'ID', '999999999')).toBe(0);
  });

  it('KILL errors', async () => {
    expect(await t.error('CLIENT', 'KILL', '1.2.3.4:5')).toBe('ERR No such client');
    expect(await t.error('CLIENT', 'KILL', 'ID')).toBe('ERR No such client');
    expect(await t.error('CLIENT', 'KILL', 'ID', 'abc')).toBe('ERR client-id should be greater than 0');
    expect(await t.error('CLIENT', 'KILL', 'ID', '0')).toBe('ERR client-id should be greater than 0');
    expect(await t.error('CLIENT', 'KILL', 'ID', '-1')).toBe('ERR client-id should be greater than 0');
    expect(await t.error('CLIENT', 'KILL', 'TYPE', 'foo')).toBe("ERR Unknown client type 'foo'");
    expect(await t.error('CLIENT', 'KILL', 'SKIPME', 'maybe')).toBe(SYNTAX);
    expect(await t.error('CLIENT', 'KILL', 'FOO', 'bar')).toBe(SYNTAX);
    expect(await t.error('CLIENT', 'KILL', 'ID', '5', 'TYPE')).toBe(SYNTAX);
    expect(await t.error('CLIENT', 'KILL', 'USER', 'nobody')).toBe("ERR No such user 'nobody'");
    expect(await t.error('CLIENT', 'KILL')).toBe("ERR wrong number of arguments for 'client|kill' command");
  });

  it('NO-EVICT, REPLY argument checks, GETREDIR, HELP, unknown subcommands', async () => {
    expect(await t.call('CLIENT', 'NO-EVICT', 'on')).toBe('OK');
    expect(await t.call('CLIENT', 'NO-EVICT', 'OFF')).toBe('OK');
    expect(await t.error('CLIENT', 'NO-EVICT', 'maybe')).toBe(SYNTAX);
    expect(await t.error('CLIENT', 'REPLY', 'maybe')).toBe(SYNTAX);
    expect(await t.call('CLIENT', 'REPLY', 'ON')).toBe('OK');
    expect(await t.call('CLIENT', 'GETREDIR')).toBe(-1);
    const help: string[] = await t.call('CLIENT', 'HELP');
    expect(help[0]).toBe('CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help).toContain('SETNAME <name>');
    expect(await t.error('CLIENT', 'FOO')).toBe("ERR unknown subcommand 'FOO'. Try CLIENT HELP.");
    expect(await t.error('CLIENT')).toBe("ERR wrong number of arguments for 'client' command");
  });
});

commandSuite('server: ROLE', (t) => {
  it('a primary with no replicas: its replication offset, as INFO replication reports it', async () => {
    const offsetOf = (info: string) => Number(/master_repl_offset:(\d+)/.exec(info)![1]);
    const [role, offset, replicas] = (await t.call('ROLE')) as [string, number, unknown[]];
    expect(role).toBe('master');
    expect(replicas).toEqual([]);
    expect(offset).toBe(offsetOf(await t.call('INFO', 'replication')));
    expect(await t.error('ROLE', 'x')).toBe("ERR wrong number of arguments for 'role' command");
    const info = (await t.call('COMMAND', 'INFO', 'role')) as unknown[][];
    expect(info[0].slice(0, 6)).toEqual(['role', 1, ['noscript', 'loading', 'stale', 'fast'], 0, 0, 0]);
  });
});

commandSuite('server: TIME LASTSAVE LOLWUT', (t) => {
  it('TIME is [unix seconds, microseconds] as strings', async () => {
    const [sec, usec] = await t.call('TIME');
    expect(sec).toMatch(/^\d+$/);
    expect(usec).toMatch(/^\d+$/);
    expect(Number(usec)).toBeLessThan(1_000_000);
    expect(Math.abs(Number(sec) - Date.now() / 1000)).toBeLessThan(5);
    expect(await t.error('TIME', 'x')).toBe("ERR wrong number of arguments for 'time' command");
  });

  it('LASTSAVE is a unix time', async () => {
    const ts = await t.call('LASTSAVE');
    expect(typeof ts).toBe('number');
    expect(ts).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 1);
    expect(ts).toBeGreaterThan(1_600_000_000);
  });

  it('LOLWUT names the version', async () => {
    expect(await t.call('LOLWUT')).toContain('Redis ver. 7.0.');
  });
});

commandSuite('server: DEBUG', (t) => {
  it('DEBUG SLEEP blocks for the given (fractional) seconds', async () => {
    expect(await t.call('DEBUG', 'SLEEP', '0')).toBe('OK');
    const t0 = Date.now();
    expect(await t.call('DEBUG', 'SLEEP', '0.1')).toBe('OK');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
    expect(await t.call('DEBUG', 'SLEEP', 'abc')).toBe('OK');
  });

  it('unknown DEBUG subcommands and arity', async () => {
    expect(await t.error('DEBUG', 'no-such-thing')).toBe("ERR unknown subcommand or wrong number of arguments for 'no-such-thing'. Try DEBUG HELP.");
    expect(await t.error('DEBUG', 'sleep')).toBe("ERR unknown subcommand or wrong number of arguments for 'sleep'. Try DEBUG HELP.");
    expect(await t.error('DEBUG')).toBe("ERR wrong number of arguments for 'debug' command");
    expect(await t.error('DEBUG', 'ERROR', 'MYERR custom')).toBe('MYERR custom');
    const help: string[] = await t.call('DEBUG', 'HELP');
    expect(help[0]).toBe('DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
  });
});

commandSuite(
  'server: DEBUG disabled (enable-debug-command no)',
  (t) => {
    it('refuses DEBUG with Redis 7.0 text', async () => {
      expect(await t.error('DEBUG', 'SLEEP', '0')).toBe(
        'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
      );
    });
  },
  { 'enable-debug-command': 'no' },
);

// Hoard loads no modules; MODULE answers as a redis-server 7.0 without any (node-redis's
// moduleList(), and tools probing for modules, call MODULE LIST).
const MODULE_NOT_ALLOWED =
  'ERR MODULE command not allowed. If the enable-module-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.';

commandSuite('server: MODULE (enable-module-command no, the default)', (t) => {
  it('MODULE LIST is empty; LOAD / LOADEX / UNLOAD are refused; HELP and arity as Redis', async () => {
    expect(await t.call('MODULE', 'LIST')).toEqual([]);
    expect(await t.error('MODULE', 'LOAD', '/no/such/module.so')).toBe(MODULE_NOT_ALLOWED);
    expect(await t.error('MODULE', 'LOADEX', '/no/such/module.so', 'ARGS', 'x')).toBe(MODULE_NOT_ALLOWED);
    expect(await t.error('MODULE', 'UNLOAD', 'search')).toBe(MODULE_NOT_ALLOWED);
    expect(await t.error('MODULE')).toBe("ERR wrong number of arguments for 'module' command");
    expect(await t.error('MODULE', 'LIST', 'x')).toBe("ERR wrong number of arguments for 'module|list' command");
    expect(await t.error('MODULE', 'NOPE')).toBe("ERR unknown subcommand 'NOPE'. Try MODULE HELP.");
    const help: string[] = await t.call('MODULE', 'HELP');
    expect(help[0]).toBe('MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help).toContain('UNLOAD <name>');
    expect(help[help.length - 1]).toBe('    Prints this help.');
    const [[name, arity, flags, , , , cats, tips]] = await t.call('COMMAND', 'INFO', 'module|list');
    expect([name, arity, flags, cats, tips]).toEqual(['module|list', 2, ['admin', 'noscript'], ['@admin', '@slow', '@dangerous'], ['nondeterministic_output_order']]);
  });
});

commandSuite(
  'server: MODULE (enable-module-command yes)',
  (t) => {
    it('a load fails as a missing library does, an unload as a module that is not loaded', async () => {
      expect(await t.error('MODULE', 'LOAD', '/no/such/module.so')).toBe('ERR Error loading the extension. Please check the server logs.');
      expect(await t.error('MODULE', 'LOADEX', '/no/such/module.so')).toBe('ERR Error loading the extension. Please check the server logs.');
      expect(await t.error('MODULE', 'UNLOAD', 'search')).toBe('ERR Error unloading module: no such module with that name');
      expect(await t.call('MODULE', 'LIST')).toEqual([]);
    });
  },
  { 'enable-module-command': 'yes' },
);

commandSuite('server: SLOWLOG', (t) => {
  it('records commands slower than slowlog-log-slower-than, newest first', async () => {
    expect(await t.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0')).toBe('OK');
    expect(await t.call('SLOWLOG', 'RESET')).toBe('OK');
    await t.call('CLIENT', 'SETNAME', 'slowpoke');
    await t.call('SET', 'foo', 'bar');
    const entries = await t.call('SLOWLOG', 'GET', '2');
    expect(entries).toHaveLength(2);
    const [id, ts, dur, argv, addr, name] = entries[0];
    expect(typeof id).toBe('number');
    expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(5);
    expect(typeof dur).toBe('number');
    expect(argv).toEqual(['SET', 'foo', 'bar']);
    expect(addr).toMatch(/:\d+$/);
    expect(name).toBe('slowpoke');
    expect(entries[1][3]).toEqual(['CLIENT', 'SETNAME', 'slowpoke']);
    expect(entries[1][0]).toBe(id - 1);
    expect(await t.call('SLOWLOG', 'LEN')).toBeGreaterThanOrEqual(4);
    expect((await t.call('SLOWLOG', 'GET')).length).toBeLessThanOrEqual(10);
    expect((await t.call('SLOWLOG', 'GET', '-1')).length).toBeGreaterThanOrEqual(5);
    expect(await t.call('SLOWLOG', 'GET', '0')).toEqual([]);
    expect(await t.call('SLOWLOG', 'RESET')).toBe('OK');
    // The RESET itself is logged once it has run.
    expect(await t.call('SLOWLOG', 'LEN')).toBe(1);
    expect(await t.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000')).toBe('OK');
    await t.call('SLOWLOG', 'RESET');
    await t.call('CLIENT', 'SETNAME', '');
  });

  it('truncates long arguments and long argument lists as Redis does', async () => {
    await t.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    await t.call('SLOWLOG', 'RESET');
    await t.call('SET', 'k', 'x'.repeat(200));
    const args = Array.from({ length: 40 }, (_, i) => String(i));
    await t.call('SADD', 'set', ...args);
    const [[, , , sadd], [, , , set]] = await t.call('SLOWLOG', 'GET', '2');
    expect(set).toEqual(['SET', 'k', 'x'.repeat(128) + '... (72 more bytes)']);
    expect(sadd).toHaveLength(32);
    expect(sadd[31]).toBe('... (11 more arguments)');
    await t.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
    await t.call('SLOWLOG', 'RESET');
  });

  it('argument errors', async () => {
    const count = 'ERR count should be greater than or equal to -1';
    expect(await t.error('SLOWLOG', 'GET', '-2')).toBe(count);
    expect(await t.error('SLOWLOG', 'GET', 'abc')).toBe(count);
    expect(await t.error('SLOWLOG', 'GET', '1', '2')).toBe("ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP.");
    expect(await t.error('SLOWLOG', 'LEN', 'x')).toBe("ERR wrong number of arguments for 'slowlog|len' command");
    const help: string[] = await t.call('SLOWLOG', 'HELP');
    expect(help[0]).toBe('SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
  });
});

commandSuite('server: LATENCY', (t) => {
  it('records events over latency-monitor-threshold: LATEST, HISTORY, RESET, DOCTOR', async () => {
    await t.call('LATENCY', 'RESET');
    expect(await t.call('LATENCY', 'LATEST')).toEqual([]);
    expect(await t.call('LATENCY', 'DOCTOR')).toContain("I'm sorry, Dave, I can't do that.");
    expect(await t.call('CONFIG', 'SET', 'latency-monitor-threshold', '10')).toBe('OK');
    expect(await t.call('DEBUG', 'SLEEP', '0.03')).toBe('OK');
    const latest = await t.call('LATENCY', 'LATEST');
    expect(latest).toHaveLength(1);
    const [event, ts, last, max] = latest[0];
    expect(event).toBe('command');
    expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(5);
    expect(last).toBeGreaterThanOrEqual(25);
    expect(max).toBeGreaterThanOrEqual(last);
    const history = await t.call('LATENCY', 'HISTORY', 'command');
    expect(history).toHaveLength(1);
    expect(history[0][0]).toBe(ts);
    expect(history[0][1]).toBe(last);
    expect(await t.call('LATENCY', 'HISTORY', 'no-such-event')).toEqual([]);
    const doctor: string = await t.call('LATENCY', 'DOCTOR');
    expect(doctor).toContain('Dave, I have observed latency spikes in this Redis instance.');
    expect(doctor).toContain('1. command: 1 latency spikes');
    expect(await t.call('LATENCY', 'RESET', 'no-such-event')).toBe(0);
    expect(await t.call('LATENCY', 'RESET', 'command')).toBe(1);
    expect(await t.call('LATENCY', 'LATEST')).toEqual([]);
    expect(await t.call('LATENCY', 'DOCTOR')).toContain('Dave, no latency spike was observed');
    expect(await t.call('CONFIG', 'SET', 'latency-monitor-threshold', '0')).toBe('OK');
    const help: string[] = await t.call('LATENCY', 'HELP');
    expect(help[0]).toBe('LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(await t.error('LATENCY', 'HISTORY')).toBe("ERR wrong number of arguments for 'latency|history' command");
  });

  it('GRAPH draws the samples of an event as an ASCII sparkline, oldest first, labelled with their age', async () => {
    await t.call('LATENCY', 'RESET');
    expect(await t.error('LATENCY', 'GRAPH', 'command')).toBe("ERR No samples available for event 'command'");
    expect(await t.error('LATENCY', 'GRAPH')).toBe("ERR wrong number of arguments for 'latency|graph' command");
    expect(await t.call('CONFIG', 'SET', 'latency-monitor-threshold', '10')).toBe('OK');
    try {
      expect(await t.call('DEBUG', 'SLEEP', '0.03')).toBe('OK');
      // Samples of the same second merge: the second one goes into the next second.
      await sleep(1050 - (Date.now() % 1000));
      expect(await t.call('DEBUG', 'SLEEP', '0.09')).toBe('OK');
      const history: Array<[number, number]> = await t.call('LATENCY', 'HISTORY', 'command');
      expect(history).toHaveLength(2);
      const [[, low], [, high]] = history;
      expect(high).toBeGreaterThan(low);
      const lines = (await t.call('LATENCY', 'GRAPH', 'command')).toString().split('\n');
      expect(lines[0]).toBe(`command - high ${high} ms, low ${low} ms (all time high ${high} ms)`);
      expect(lines[1]).toBe('-'.repeat(80));
      // Four rows of three levels: the low sample is the bottom level, the high one the top.
      expect(lines.slice(2, 7)).toEqual([' #', ' |', ' |', '_|', '  ']);
      // Then each sample's age ("1s", "0s"...) written downwards.
      expect(lines[7]).toMatch(/^[0-9]{2}$/);
      expect(Number(lines[7][0])).toBeGreaterThanOrEqual(Number(lines[7][1]));
      expect(lines.slice(8)).toEqual(['ss', '']);
      // Event names are matched exactly.
      expect(await t.error('LATENCY', 'GRAPH', 'COMMAND')).toBe("ERR No samples available for event 'COMMAND'");
      expect(await t.call('LATENCY', 'HISTORY', 'COMMAND')).toEqual([]);
    } finally {
      await t.call('CONFIG', 'SET', 'latency-monitor-threshold', '0');
      await t.call('LATENCY', 'RESET');
    }
  });
});

/** LATENCY HISTOGRAM's microsecond keys: the highest value of the slot of 1024 ns * 2^j. */
const HISTOGRAM_USEC = Array.from({ length: 20 }, (_, j) => {
  const level = 1024 * 2 ** j;
  return Math.floor((level + 2 ** (Math.floor(Math.log2(level)) - 7) - 1) / 1000);
});

commandSuite('server: latency tracking', (t) => {
  it('INFO latencystats: the configured percentiles per command, in microseconds', async () => {
    expect(await t.call('CONFIG', 'RESETSTAT')).toBe('OK');
    for (let i = 0; i < 50; i++) await t.call('SET', `k${i}`, 'v');
    await t.call('CONFIG', 'GET', 'maxmemory');
    expect(await t.call('DEBUG', 'SLEEP', '0.02')).toBe('OK');
    let info: string = await t.call('INFO', 'latencystats');
    const m = /^p50=(\d+\.\d{3}),p99=(\d+\.\d{3}),p99\.9=(\d+\.\d{3})$/.exec(infoField(info, 'latency_percentiles_usec_set') ?? '');
    expect(m).not.toBeNull();
    const [p50, p99, p999] = m!.slice(1).map(Number);
    expect(p50).toBeGreaterThan(0);
    expect(p50).toBeLessThanOrEqual(p99);
    expect(p99).toBeLessThanOrEqual(p999);
    expect(infoField(info, 'latency_percentiles_usec_config|get')).toMatch(/^p50=[\d.]+,p99=[\d.]+,p99\.9=[\d.]+$/);
    // 20 ms of DEBUG SLEEP, read back as the highest value of its slot: at least 20000 us.
    const debug = Number(/^p50=([\d.]+),/.exec(infoField(info, 'latency_percentiles_usec_debug') ?? '')?.[1]);
    expect(debug).toBeGreaterThanOrEqual(20000);
    expect(debug).toBeLessThan(200000);
    expect(infoField(info, 'latency_percentiles_usec_get')).toBeUndefined();
    // Other percentiles; then tracking off: no lines.
    expect(await t.call('CONFIG', 'SET', 'latency-tracking-info-percentiles', '0 90')).toBe('OK');
    info = await t.call('INFO', 'latencystats');
    expect(infoField(info, 'latency_percentiles_usec_set')).toMatch(/^p0=[\d.]+,p90=[\d.]+$/);
    expect(await t.call('CONFIG', 'SET', 'latency-tracking-info-percentiles', '50 99 99.9')).toBe('OK');
    expect(await t.call('CONFIG', 'SET', 'latency-tracking', 'no')).toBe('OK');
    info = await t.call('INFO', 'latencystats');
    expect(info.trim()).toBe('# Latencystats');
    expect(await t.call('CONFIG', 'SET', 'latency-tracking', 'yes')).toBe('OK');
  });

  it('LATENCY HISTOGRAM: calls and the cumulative distribution per command', async () => {
    expect(await t.call('CONFIG', 'RESETSTAT')).toBe('OK');
    for (let i = 0; i < 40; i++) await t.call('SET', `k${i}`, 'v');
    await t.call('CONFIG', 'GET', 'maxmemory');
    // A container stands for its subcommands (RESETSTAT itself ran after the reset); unknown
    // names are skipped.
    const all = pairs(await t.call('LATENCY', 'HISTOGRAM', 'set', 'config', 'no-such-command'));
    expect([...all.keys()].sort()).toEqual(['config|get', 'config|resetstat', 'set']);
    const set = pairs(all.get('set') as unknown[]);
    expect(set.get('calls')).toBe(40);
    const cdf = set.get('histogram_usec') as number[];
    expect(cdf.length).toBeGreaterThanOrEqual(2);
    let prev = 0;
    for (let i = 0; i < cdf.length; i += 2) {
      expect(HISTOGRAM_USEC).toContain(cdf[i]);
      expect(cdf[i + 1]).toBeGreaterThan(prev);
      prev = cdf[i + 1];
    }
    expect(prev).toBe(40);
    expect(pairs(await t.call('LATENCY', 'HISTOGRAM', 'config|get')).size).toBe(1);
    expect(await t.call('LATENCY', 'HISTOGRAM', 'no-such-command')).toEqual([]);
    expect(await t.call('CONFIG', 'RESETSTAT')).toBe('OK');
    expect(await t.call('LATENCY', 'HISTOGRAM', 'set')).toEqual([]);
  });
});

commandSuite('server: MEMORY', (t) => {
  // The figures are each server's own (jemalloc's for Redis, V8's for Hoard: what its used_memory
  // counts, keyspace/memory.ts); what both guarantee is how they move.
  it('USAGE of strings counts key and value, grows with the value, ignores SAMPLES', async () => {
    await t.call('SET', 'k', 'v');
    const small = await t.call('MEMORY', 'USAGE', 'k');
    expect(small).toBeGreaterThan(2);
    await t.call('SET', 'k', 'x'.repeat(100));
    const big = await t.call('MEMORY', 'USAGE', 'k');
    expect(big).toBeGreaterThan(small + 90);
    await t.call('SET', 'a-longer-key-name', 'x'.repeat(44));
    const a = await t.call('MEMORY', 'USAGE', 'a-longer-key-name', 'SAMPLES', '0');
    expect(a).toBe(await t.call('MEMORY', 'USAGE', 'a-longer-key-name'));
    expect(a).toBeGreaterThan(17 + 44);
  });

  it('USAGE of collections grows with their size', async () => {
    await t.call('SADD', 'l', 'a');
    const small = await t.call('MEMORY', 'USAGE', 'l');
    expect(small).toBeGreaterThan(0);
    await t.call('SADD', 'l', ...Array.from({ length: 500 }, (_, i) => `element-${i}`));
    expect(await t.call('MEMORY', 'USAGE', 'l')).toBeGreaterThan(small);
  });

  it('USAGE errors; missing key is null', async () => {
    expect(await t.call('MEMORY', 'USAGE', 'missing')).toBe(null);
    expect(await t.error('MEMORY', 'USAGE', 'missing', 'SAMPLES')).toBe(SYNTAX);
    expect(await t.error('MEMORY', 'USAGE', 'missing', 'SAMPLES', 'x')).toBe(NOT_INTEGER);
    expect(await t.error('MEMORY', 'USAGE', 'missing', 'SAMPLES', '-1')).toBe(SYNTAX);
    expect(await t.error('MEMORY', 'USAGE', 'missing', 'FOO', '1')).toBe(SYNTAX);
    expect(await t.error('MEMORY', 'USAGE')).toBe("ERR wrong number of arguments for 'memory|usage' command");
  });

  it('STATS, DOCTOR, MALLOC-STATS, PURGE, HELP are well-formed', async () => {
    await t.call('SET', 'k', 'v');
    const stats = pairs(await t.call('MEMORY', 'STATS'));
    for (const k of ['peak.allocated', 'total.allocated', 'startup.allocated', 'keys.count', 'dataset.bytes', 'fragmentation', 'db.0']) {
      expect(stats.has(k), k).toBe(true);
    }
    expect(stats.get('keys.count')).toBe(1);
    expect(pairs(stats.get('db.0') as unknown[]).has('overhead.hashtable.main')).toBe(true);
    expect(pairs(stats.get('db.0') as unknown[]).get('overhead.hashtable.slot-to-keys')).toBe(0);
    expect(typeof (await t.call('MEMORY', 'DOCTOR'))).toBe('string');
    expect(typeof (await t.call('MEMORY', 'MALLOC-STATS'))).toBe('string');
    expect(await t.call('MEMORY', 'PURGE')).toBe('OK');
    const help: string[] = await t.call('MEMORY', 'HELP');
    expect(help[0]).toBe('MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help).toContain('USAGE <key> [SAMPLES <count>]');
  });
});

commandSuite('server: SHUTDOWN argument checks', (t) => {
  it('rejects bad option combinations without shutting down', async () => {
    expect(await t.error('SHUTDOWN', 'foo')).toBe(SYNTAX);
    expect(await t.error('SHUTDOWN', 'NOSAVE', 'SAVE')).toBe(SYNTAX);
    expect(await t.error('SHUTDOWN', 'ABORT', 'NOW')).toBe(SYNTAX);
    expect(await t.error('SHUTDOWN', 'ABORT', 'NOSAVE')).toBe(SYNTAX);
    expect(await t.call('PING')).toBe('PONG');
  });
});

// Last: if ABORT wrongly shut the server down, only this block fails.
commandSuite('server: SHUTDOWN ABORT', (t) => {
  it('ABORT with no shutdown in progress is an error', async () => {
    expect(await t.error('SHUTDOWN', 'ABORT')).toBe('ERR No shutdown in progress.');
    expect(await t.call('PING')).toBe('PONG');
  }, 5_000);
});

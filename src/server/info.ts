// INFO: the sections and field names of Redis 7.0.15, in its order (server, clients, memory,
// persistence, stats, replication, cpu, modules, commandstats, errorstats, latencystats, cluster,
// keyspace). Parts that own a section's data (persistence, replication, pub/sub) contribute
// through `Server.infoSections`: a contributed field replaces the default of the same name in
// place, so the field order stays Redis's (replication's contributor replaces the whole section). This file owns the layout and the defaults.

import os from 'node:os';
import type { CommandContext } from '../commands/types.js';
import type { Server } from './server.js';
import { USED_MEMORY_STARTUP } from '../keyspace/memory.js';
import { formatPercentile } from '../config.js';

type Fields = Array<[string, string | number]>;

/** Every section in the order Redis 7.0 prints them, whatever order they were asked in. */
const SECTION_ORDER = [
  'server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules',
  'commandstats', 'errorstats', 'latencystats', 'cluster', 'keyspace',
];
const DEFAULT_SECTIONS = new Set(['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'errorstats', 'cluster', 'keyspace']);
const HEADERS: Record<string, string> = {
  server: 'Server', clients: 'Clients', memory: 'Memory', persistence: 'Persistence', stats: 'Stats',
  replication: 'Replication', cpu: 'CPU', modules: 'Modules', commandstats: 'Commandstats',
  errorstats: 'Errorstats', latencystats: 'Latencystats', cluster: 'Cluster', keyspace: 'Keyspace',
};

export { VERSION } from '../version.js';
import { VERSION, HOARD_VERSION } from '../version.js';
import { existingScripting } from '../scripting/scripts.js';
import { existingFunctions } from '../scripting/functions.js';

export function humanBytes(n: number): string {
  if (n < 1024) return `${n}B`;
  const units = ['K', 'M', 'G', 'T', 'P'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(2)}${units[i]}`;
}

/**
 * Redis's genRedisInfoString: `requested` are lower-case section names; none, or "default",
 * means the default sections; "all" every section; "everything" every section plus the ones
 * other parts registered. Unknown names are ignored (INFO foo is an empty string).
 */
export function buildInfo(server: Server, _c: CommandContext, requested: string[]): string {
  const want = new Set<string>();
  let all = false;
  let extraSections = false;
  if (requested.length === 0) for (const s of DEFAULT_SECTIONS) want.add(s);
  for (const r of requested) {
    if (r === 'default') for (const s of DEFAULT_SECTIONS) want.add(s);
    else if (r === 'all') all = true;
    else if (r === 'everything') all = extraSections = true;
    else want.add(r);
  }
  const parts: string[] = [];
  const emit = (s: string) => {
    const fields = sectionFields(server, s);
    if (fields === null) return;
    let text = `# ${HEADERS[s] ?? s[0].toUpperCase() + s.slice(1)}\r\n`;
    for (const [k, v] of fields) text += `${k}:${v}\r\n`;
    parts.push(text);
  };
  for (const s of SECTION_ORDER) if (all || want.has(s)) emit(s);
  // Sections registered by other parts (Redis's module sections) come last.
  for (const s of server.infoSections.keys()) {
    if (HEADERS[s] === undefined && (extraSections || want.has(s))) emit(s);
  }
  return parts.join('\r\n');
}

/**
 * A section's defaults with the owning part's contribution merged in: a contributed field
 * replaces the default of the same name in place (so Redis's field order is kept), new fields
 * are appended.
 */
function merge(defaults: Fields, extra: (() => Fields) | undefined): Fields {
  if (extra === undefined) return defaults;
  const add = extra();
  if (add.length === 0) return defaults;
  const index = new Map<string, number>();
  for (let i = 0; i < defaults.length; i++) index.set(defaults[i][0], i);
  for (const f of add) {
    const i = index.get(f[0]);
    if (i === undefined) defaults.push(f);
    else defaults[i] = f;
  }
  return defaults;
}

const OS_ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', ia32: 'i686' };

function sectionFields(server: Server, s: string): Fields | null {
  const extra = server.infoSections.get(s);
  switch (s) {
    case 'server': {
      const uptime = Math.floor((Date.now() - server.startTime) / 1000);
      return merge(
        [
          ['redis_version', VERSION],
          // Hoard's own version beside the Redis version it answers as: the one INFO field
          // redis-server lacks (test/integration/command-table-differential.test.ts allows it).
          ['hoard_version', HOARD_VERSION],
          ['redis_git_sha1', '00000000'],
          ['redis_git_dirty', 0],
          ['redis_build_id', '0'],
          ['redis_mode', server.cluster !== null ? 'cluster' : server.mode],
          ['os', `${os.type()} ${os.release()} ${OS_ARCH[os.arch()] ?? os.arch()}`],
          ['arch_bits', 64],
          ['monotonic_clock', 'POSIX clock_gettime'],
          ['multiplexing_api', 'epoll'],
          ['atomicvar_api', 'c11-builtin'],
          ['gcc_version', '0.0.0'],
          ['process_id', process.pid],
          ['process_supervised', 'no'],
          ['run_id', server.runId],
          ['tcp_port', server.boundPort],
          ['server_time_usec', Date.now() * 1000],
          ['uptime_in_seconds', uptime],
          ['uptime_in_days', Math.floor(uptime / 86400)],
          ['hz', server.config.num('hz')],
          ['configured_hz', server.config.num('hz')],
          ['lru_clock', server.ks.lruClock & 0xffffff],
          ['executable', process.argv[1] ?? ''],
          ['config_file', server.config.configFile ?? ''],
          ['io_threads_active', 0],
        ],
        extra,
      );
    }
    case 'clients': {
      let maxIn = 0;
      let maxOut = 0;
      for (const c of server.clientSet) {
        if (c.queryBufferBytes > maxIn) maxIn = c.queryBufferBytes;
        if (c.outputBufferBytes > maxOut) maxOut = c.outputBufferBytes;
      }
      return merge(
        [
          ['connected_clients', server.clientSet.size],
          ['cluster_connections', 0],
          ['maxclients', server.config.num('maxclients')],
          ['client_recent_max_input_buffer', maxIn],
          ['client_recent_max_output_buffer', maxOut],
          ['blocked_clients', 0],
          ['tracking_clients', server.tracking.clients],
          ['clients_in_timeout_table', 0],
        ],
        extra,
      );
    }
    case 'memory': {
      // used_memory is the keyspace's accounting (keyspace/memory.ts: the idle server's heap
      // plus an estimate per key), what maxmemory is compared with; the allocator_* fields are
      // V8's own heap figures, and RSS the process's.
      const mem = server.ks.memory;
      mem.flushPending();
      const used = mem.usedMemory();
      const peak = Math.max(mem.peak, used);
      const startup = USED_MEMORY_STARTUP;
      const overhead = startup + mem.overheadBytes();
      const dataset = Math.max(0, used - overhead);
      const mu = process.memoryUsage();
      const allocated = mu.heapUsed + mu.external;
      const maxmemory = server.config.num('maxmemory');
      const active = mu.heapTotal + mu.external;
      const total = os.totalmem();
      let clientsMem = 0;
      for (const c of server.clientSet) clientsMem += c.queryBufferBytes + c.outputBufferBytes;
      const scripting = existingScripting(server);
      const scriptBytes = scripting?.bodyBytes ?? 0;
      const functions = existingFunctions(server);
      const functionBytes = functions?.memoryBytes ?? 0;
      return merge(
        [
          ['used_memory', used],
          ['used_memory_human', humanBytes(used)],
          ['used_memory_rss', mu.rss],
          ['used_memory_rss_human', humanBytes(mu.rss)],
          ['used_memory_peak', peak],
          ['used_memory_peak_human', humanBytes(peak)],
          ['used_memory_peak_perc', `${((used * 100) / Math.max(1, peak)).toFixed(2)}%`],
          ['used_memory_overhead', overhead],
          ['used_memory_startup', startup],
          ['used_memory_dataset', dataset],
          ['used_memory_dataset_perc', `${((dataset * 100) / Math.max(1, used - startup)).toFixed(2)}%`],
          ['allocator_allocated', allocated],
          ['allocator_active', active],
          ['allocator_resident', mu.rss],
          ['total_system_memory', total],
          ['total_system_memory_human', humanBytes(total)],
          ['used_memory_lua', 0],
          ['used_memory_vm_eval', 0],
          ['used_memory_lua_human', '0B'],
          ['used_memory_scripts_eval', scriptBytes],
          ['number_of_cached_scripts', scripting?.size ?? 0],
          ['number_of_functions', functions?.functionCount ?? 0],
          ['number_of_libraries', functions?.libraryCount ?? 0],
          ['used_memory_vm_functions', 0],
          ['used_memory_vm_total', 0],
          ['used_memory_vm_total_human', '0B'],
          ['used_memory_functions', functionBytes],
          ['used_memory_scripts', scriptBytes + functionBytes],
          ['used_memory_scripts_human', humanBytes(scriptBytes + functionBytes)],
          ['maxmemory', maxmemory],
          ['maxmemory_human', humanBytes(maxmemory)],
          ['maxmemory_policy', server.config.str('maxmemory-policy')],
          ['allocator_frag_ratio', (active / Math.max(1, allocated)).toFixed(2)],
          ['allocator_frag_bytes', active - allocated],
          ['allocator_rss_ratio', (mu.rss / Math.max(1, active)).toFixed(2)],
          ['allocator_rss_bytes', mu.rss - active],
          ['rss_overhead_ratio', '1.00'],
          ['rss_overhead_bytes', 0],
          ['mem_fragmentation_ratio', (mu.rss / Math.max(1, used)).toFixed(2)],
          ['mem_fragmentation_bytes', mu.rss - used],
          ['mem_not_counted_for_evict', 0],
          ['mem_replication_backlog', 0],
          ['mem_total_replication_buffers', 0],
          ['mem_clients_slaves', 0],
          ['mem_clients_normal', clientsMem],
          ['mem_cluster_links', 0],
          ['mem_aof_buffer', 0],
          ['mem_allocator', 'v8'],
          ['active_defrag_running', 0],
          ['lazyfree_pending_objects', 0],
          ['lazyfreed_objects', 0],
        ],
        extra,
      );
    }
    case 'persistence':
      return merge(
        [
          ['loading', server.loading ? 1 : 0],
          ['async_loading', 0],
          ['current_cow_peak', 0],
          ['current_cow_size', 0],
          ['current_cow_size_age', 0],
          ['current_fork_perc', '0.00'],
          ['current_save_keys_processed', 0],
          ['current_save_keys_total', 0],
          ['rdb_changes_since_last_save', server.log.dirty],
          ['rdb_bgsave_in_progress', 0],
          ['rdb_last_save_time', server.lastSaveTime()],
          ['rdb_last_bgsave_status', 'ok'],
          ['rdb_last_bgsave_time_sec', -1],
          ['rdb_current_bgsave_time_sec', -1],
          ['rdb_saves', 0],
          ['rdb_last_cow_size', 0],
          ['rdb_last_load_keys_expired', 0],
          ['rdb_last_load_keys_loaded', 0],
          ['aof_enabled', 0],
          ['aof_rewrite_in_progress', 0],
          ['aof_rewrite_scheduled', 0],
          ['aof_last_rewrite_time_sec', -1],
          ['aof_current_rewrite_time_sec', -1],
          ['aof_last_bgrewrite_status', 'ok'],
          ['aof_rewrites', 0],
          ['aof_rewrites_consecutive_failures', 0],
          ['aof_last_write_status', 'ok'],
          ['aof_last_cow_size', 0],
          ['module_fork_in_progress', 0],
          ['module_fork_last_cow_size', 0],
        ],
        extra,
      );
    case 'stats': {
      const st = server.stats;
      const ks = server.ks.stats;
      return merge(
        [
          ['total_connections_received', st.totalConnectionsReceived],
          ['total_commands_processed', st.totalCommandsProcessed],
          ['instantaneous_ops_per_sec', server.opsPerSec()],
          ['total_net_input_bytes', st.totalNetInputBytes],
          ['total_net_output_bytes', st.totalNetOutputBytes],
          ['total_net_repl_input_bytes', 0],
          ['total_net_repl_output_bytes', 0],
          ['instantaneous_input_kbps', '0.00'],
          ['instantaneous_output_kbps', '0.00'],
          ['instantaneous_input_repl_kbps', '0.00'],
          ['instantaneous_output_repl_kbps', '0.00'],
          ['rejected_connections', st.rejectedConnections],
          ['sync_full', 0],
          ['sync_partial_ok', 0],
          ['sync_partial_err', 0],
          ['expired_keys', ks.expiredKeys],
          ['expired_stale_perc', ks.expiredStalePerc.toFixed(2)],
          ['expired_time_cap_reached_count', ks.expiredTimeCapReachedCount],
          ['expire_cycle_cpu_milliseconds', Math.round(ks.expireCycleCpuMs)],
          ['evicted_keys', ks.evictedKeys],
          ['evicted_clients', 0],
          ['total_eviction_exceeded_time', Math.round(server.ks.evictor.totalExceededMs)],
          ['current_eviction_exceeded_time', Math.round(server.ks.evictor.currentExceededMs())],
          ['keyspace_hits', ks.keyspaceHits],
          ['keyspace_misses', ks.keyspaceMisses],
          ['pubsub_channels', server.pubsub.channels.size],
          ['pubsub_patterns', server.pubsub.patterns.size],
          ['pubsubshard_channels', server.pubsub.shardChannels.size],
          ['latest_fork_usec', 0],
          ['total_forks', 0],
          ['migrate_cached_sockets', server.migrate.cachedSockets],
          ['slave_expires_tracked_keys', 0],
          ['active_defrag_hits', 0],
          ['active_defrag_misses', 0],
          ['active_defrag_key_hits', 0],
          ['active_defrag_key_misses', 0],
          ['total_active_defrag_time', 0],
          ['current_active_defrag_time', 0],
          ['tracking_total_keys', server.tracking.totalKeys],
          ['tracking_total_items', server.tracking.items],
          ['tracking_total_prefixes', server.tracking.totalPrefixes],
          ['unexpected_error_replies', st.unexpectedErrorReplies],
          ['total_error_replies', st.totalErrorReplies],
          ['dump_payload_sanitizations', 0],
          ['total_reads_processed', 0],
          ['total_writes_processed', 0],
          ['io_threaded_reads_processed', 0],
          ['io_threaded_writes_processed', 0],
          ['reply_buffer_shrinks', 0],
          ['reply_buffer_expands', 0],
        ],
        extra,
      );
    }
    case 'replication':
      // The replication part replaces the whole section: a replica's fields (master_host ...)
      // sit between role and connected_slaves, which a merge could not place.
      if (extra) return extra();
      return [
          ['role', 'master'],
          ['connected_slaves', 0],
          ['master_failover_state', 'no-failover'],
          ['master_replid', server.runId],
          ['master_replid2', '0000000000000000000000000000000000000000'],
          ['master_repl_offset', server.log.offset],
          ['second_repl_offset', -1],
          ['repl_backlog_active', 0],
          ['repl_backlog_size', server.config.num('repl-backlog-size')],
          ['repl_backlog_first_byte_offset', 0],
          ['repl_backlog_histlen', 0],
        ];
    case 'cpu': {
      // Node runs JavaScript on one thread: the process's CPU time is the main thread's.
      const u = process.cpuUsage();
      const sys = (u.system / 1e6).toFixed(6);
      const user = (u.user / 1e6).toFixed(6);
      return merge(
        [
          ['used_cpu_sys', sys],
          ['used_cpu_user', user],
          ['used_cpu_sys_children', '0.000000'],
          ['used_cpu_user_children', '0.000000'],
          ['used_cpu_sys_main_thread', sys],
          ['used_cpu_user_main_thread', user],
        ],
        extra,
      );
    }
    case 'modules':
      return merge([], extra);
    case 'cluster':
      return merge([['cluster_enabled', 0]], extra);
    case 'errorstats':
      // In Redis's order: its error table is a radix tree, listed in byte order of the codes.
      return [...server.stats.errorStats]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([code, n]) => [`errorstat_${code}`, `count=${n}`]);
    case 'commandstats':
      return [...server.stats.commandStats].filter(([, s]) => s.calls + s.failedCalls + s.rejectedCalls > 0).map(([name, s]) => [
        `cmdstat_${name}`,
        `calls=${s.calls},usec=${Math.round(s.usec)},usec_per_call=${s.calls ? (s.usec / s.calls).toFixed(2) : '0.00'},rejected_calls=${s.rejectedCalls},failed_calls=${s.failedCalls}`,
      ]);
    case 'latencystats': {
      // Redis's genRedisInfoStringLatencyStats: per command that ran while latency-tracking was
      // on, the configured percentiles of its latency in microseconds ("%.3f").
      if (!server.config.bool('latency-tracking')) return merge([], extra);
      const percentiles = server.config.raw('latency-tracking-info-percentiles') as readonly number[];
      const out: Fields = [];
      for (const [name, s] of server.stats.commandStats) {
        const h = s.hist;
        if (h === null || h.total === 0) continue;
        const ps = percentiles.map((p) => `p${formatPercentile(p)}=${(h.valueAtPercentile(p) / 1000).toFixed(3)}`);
        out.push([`latency_percentiles_usec_${name}`, ps.join(',')]);
      }
      return merge(out, extra);
    }
    case 'keyspace': {
      const out: Fields = [];
      const now = server.ks.clock.now();
      for (const db of server.ks.dbs) {
        if (db.size === 0) continue;
        // avg_ttl from a bounded sample of the keys with a TTL (Redis estimates it in the
        // active expire cycle): INFO stays O(databases), not O(keys).
        let ttlSum = 0;
        let ttlN = 0;
        const exp = db.t.expireAt;
        for (const s of db.expires) {
          if (ttlN >= 64) break;
          if (exp[s] > now) {
            ttlSum += exp[s] - now;
            ttlN++;
          }
        }
        out.push([`db${db.index}`, `keys=${db.size},expires=${db.expires.size},avg_ttl=${ttlN ? Math.round(ttlSum / ttlN) : 0}`]);
      }
      return out;
    }
    default:
      return extra ? extra() : null;
  }
}

#!/usr/bin/env -S node --max-semi-space-size=2 --no-parallel-scavenge
// hoard-sentinel [sentinel.conf] [--name value ...]: the same program as
// `hoard-server sentinel.conf --sentinel`, as redis-sentinel is redis-server in sentinel mode.

process.argv.push('--sentinel');
await import('../server/main.js');

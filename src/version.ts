// The Redis version Hoard reports (INFO redis_version, HELLO): the one whose behaviour it matches.
export const VERSION = '7.0.15';
export const HOARD_VERSION = '0.1.0';

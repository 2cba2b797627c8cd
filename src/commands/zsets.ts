// (being written) zsets commands.
import type { CommandSpec } from './types.js';

export const zsetCommands: CommandSpec[] = [];

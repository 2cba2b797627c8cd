// (being written) lists commands.
import type { CommandSpec } from './types.js';

export const listCommands: CommandSpec[] = [];

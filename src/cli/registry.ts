// Every CLI command, registered in one explicit map. Add a command here (one import, one entry).
import type { Command } from './command.ts';

export const COMMANDS: Command[] = [];

// Every CLI command, registered in one explicit map. Add a command here (one import, one entry).
import type { Command } from './command.ts';
import { applyCommand } from './apply-command.ts';
import { commentCommand } from './comment-command.ts';
import { destinationsCommand } from './destinations-command.ts';
import { emulatorCommand } from './emulator-command.ts';
import { importCommand } from './import-command.ts';
import { planCommand } from './plan-command.ts';
import { runCommand } from './run-command.ts';
import { statusCommand } from './status-command.ts';
import { unlockCommand } from './unlock-command.ts';
import { validateCommand } from './validate-command.ts';
import { versionCommand } from './version-command.ts';

export const COMMANDS: Command[] = [validateCommand, planCommand, applyCommand, runCommand, statusCommand, importCommand, unlockCommand, destinationsCommand, emulatorCommand, commentCommand, versionCommand];

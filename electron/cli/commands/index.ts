// The command registry: one line per command, loaded on demand so the chosen command alone is imported.
// To add a command: create electron/cli/commands/<name>.ts default-exporting a CommandModule (../args.ts), add a line here.
import type { CommandModule } from '../args.ts';

export const commands: Record<string, () => Promise<{ default: CommandModule }>> = {
  init: () => import('./init.ts'),
  backup: () => import('./backup.ts'),
  encrypt: () => import('./encrypt.ts'),
  export: () => import('./export.ts'),
  import: () => import('./import.ts'),
  restore: () => import('./restore.ts'),
  'seed-demo': () => import('./seed-demo.ts'),
  stats: () => import('./stats.ts'),
  verify: () => import('./verify.ts'),
  serve: () => import('./serve.ts'),
  devices: () => import('./devices.ts'),
  rounds: () => import('./rounds.ts'),
  needs: () => import('./needs.ts'),
  'migrate-to-pg': () => import('./migrate-to-pg.ts'),
  district: () => import('./district.ts'),
};

// Where the config file is: light enough for the CLI's start-up path (no YAML, no zod).
import { join, resolve } from 'node:path';
import { configRoot } from '../paths.js';

/** $ONCALL_CONFIG, else $XDG_CONFIG_HOME/oncall/config.yaml, else ~/.config/oncall/config.yaml. */
export function configFile(env: NodeJS.ProcessEnv): string {
  return env.ONCALL_CONFIG?.trim() ? resolve(env.ONCALL_CONFIG) : join(configRoot(env), 'config.yaml');
}

// The step kinds of the secrets-env-migration runbook: move secrets from .env files into AWS
// Secrets Manager without ever showing, logging or passing a value. Each kind re-reads the .env
// files itself (their paths are parameters), so values never travel through step results.
import type { StepKind } from '../../core/step.js';
import { cutover } from './cutover.js';
import { backup, check, remove } from './files.js';
import { inventory } from './inventory.js';
import { migrate } from './migrate.js';
import { plan } from './plan.js';
import { precheck } from './precheck.js';
import { rollback } from './rollback.js';
import { verify } from './verify.js';

export const SECRETS_KINDS: StepKind[] = [inventory, plan, precheck, migrate, verify, rollback, cutover, backup, remove, check];

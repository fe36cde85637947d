// Who is acting: decided once, where the command line is read, and passed down to the journal,
// the engine and the screen, so they never name different people.
import { userInfo } from 'node:os';

/** `--operator`, else $ONCALL_OPERATOR, else the login name. */
export function operatorName(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag?.trim()) return flag.trim();
  if (env.ONCALL_OPERATOR?.trim()) return env.ONCALL_OPERATOR.trim();
  try {
    return userInfo().username;
  } catch {
    // no passwd entry (a container with an arbitrary uid)
    return env.USER || env.LOGNAME || 'operator';
  }
}

// `oncall --version` within 1.5x and `oncall list` within 2.5x of bare `node -e ''`, same Node,
// same run: Ink, the AWS SDK and client-node must stay off paths that do not need them.
import { join } from 'node:path';
import { timeNode, report } from './lib.mjs';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'dist/oncall.js');
const baseline = timeNode(['-e', '']);
const version = timeNode([bin, '--version']);
const list = timeNode([bin, 'list', '--runbooks', join(root, 'examples')], { cwd: root });
console.log(`node ${process.version}, bare node -e '': ${baseline.toFixed(1)} ms`);
const ok = [report('oncall --version', version, baseline, 1.5), report('oncall list', list, baseline, 2.5)].every(Boolean);
process.exitCode = ok ? 0 : 1;

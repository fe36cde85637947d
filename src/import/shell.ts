// Shell lines as runbooks write them, read without a shell: which lines are simple commands (they
// become argument arrays), which need a shell (they stay a marked `bash -c`, flagged for review),
// where the placeholders are (`$NAME`, `${NAME}`, `<name>`), and whether a command changes things.

/** A word of a simple command: literal text and placeholders, in order. */
export type Part = { text: string } | { input: string };
export type Word = Part[];

export interface SimpleCommand {
  words: Word[];
}

/** Environment variables a runbook means as the environment, never as something to ask for. */
export const ENVIRONMENT = new Set(['HOME', 'PATH', 'USER', 'PWD', 'SHELL', 'HOSTNAME', 'TMPDIR', 'LANG', 'TERM', 'EDITOR', 'KUBECONFIG', 'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'RANDOM', 'UID']);

/** A placeholder's name as an input name (`POD_NAME`, `pod-name`, `podName` → `pod_name`). */
export function inputName(raw: string): string {
  const snake = raw
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  const name = snake || 'value';
  return /^[a-z_]/.test(name) ? name : `v_${name}`;
}

/** Token-like names are secret inputs: never shown, never journaled. */
export function isSecretName(name: string): boolean {
  return /(token|secret|passw(or)?d|passwd|api_?key|access_?key|private_?key|credential|auth)/i.test(name) || /(^|_)key$/i.test(name);
}

/** The shell's own syntax outside quotes: pipes, lists, redirections, substitutions, globs, control flow. */
const SHELL_ONLY = /[|&;<>()`*?[\]{}~!]|\$\(|\$\(\(/;
const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'for', 'while', 'until', 'do', 'done', 'case', 'esac', 'function', 'select', 'cd', 'source', '.', 'alias', 'set', 'unset', 'eval', 'exec', 'read', 'trap', 'ulimit']);

/**
 * One line as a simple command, or why it is not one. Quotes and backslashes are honoured; `$NAME`,
 * `${NAME}` and `<name>` (outside single quotes) become placeholders; anything a shell would give
 * meaning to (a pipe, a redirection, `$(…)`, a glob, `VAR=x cmd`, a builtin like `cd`) is refused.
 */
export function parseSimple(line: string): { ok: true; command: SimpleCommand } | { ok: false; why: string } {
  const words: Word[] = [];
  let word: Word | undefined;
  let text = '';
  const flush = () => {
    if (text) (word ??= []).push({ text });
    text = '';
  };
  const end = () => {
    flush();
    if (word) words.push(word);
    word = undefined;
  };
  const placeholder = (name: string): string | undefined => {
    if (ENVIRONMENT.has(name)) return `it uses the environment variable $${name}`;
    flush();
    (word ??= []).push({ input: name });
    return undefined;
  };
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      end();
      i++;
      continue;
    }
    if (c === '#' && word === undefined && !text) break; // a comment
    if (c === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) return { ok: false, why: 'an unclosed single quote' };
      text += line.slice(i + 1, close);
      word ??= [];
      i = close + 1;
      continue;
    }
    if (c === '"') {
      word ??= [];
      i++;
      for (;;) {
        if (i >= line.length) return { ok: false, why: 'an unclosed double quote' };
        const d = line[i]!;
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) {
          text += line[i + 1];
          i += 2;
          continue;
        }
        if (d === '`' || line.startsWith('$(', i)) return { ok: false, why: 'a command substitution' };
        if (d === '$') {
          const v = variableAt(line, i);
          if (!v) return { ok: false, why: `a '$' the shell would expand` };
          const why = placeholder(v.name);
          if (why) return { ok: false, why };
          i = v.end;
          continue;
        }
        text += d;
        i++;
      }
      continue;
    }
    if (c === '\\') {
      if (i + 1 >= line.length) return { ok: false, why: 'a line continuation' };
      text += line[i + 1];
      word ??= [];
      i += 2;
      continue;
    }
    if (c === '$') {
      if (line.startsWith('$(', i)) return { ok: false, why: 'a command substitution' };
      const v = variableAt(line, i);
      if (!v) return { ok: false, why: `a '$' the shell would expand` };
      const why = placeholder(v.name);
      if (why) return { ok: false, why };
      i = v.end;
      continue;
    }
    if (c === '<') {
      const m = /^<([A-Za-z][A-Za-z0-9_.-]*)>/.exec(line.slice(i));
      if (m) {
        placeholder(m[1]!);
        i += m[0].length;
        continue;
      }
    }
    if (c === '=' && words.length === 0 && (word === undefined || word.length === 0) && /^[A-Za-z_][A-Za-z0-9_]*$/.test(text)) {
      return { ok: false, why: 'it sets a variable for the command (VAR=value command)' };
    }
    if (SHELL_ONLY.test(c) || line.startsWith('$(', i)) return { ok: false, why: describeShellOnly(line, i) };
    text += c;
    i++;
  }
  end();
  if (!words.length) return { ok: false, why: 'no command' };
  const first = words[0]!;
  if (first.length === 1 && 'text' in first[0]! && KEYWORDS.has(first[0].text)) return { ok: false, why: `'${first[0].text}' is shell syntax` };
  if (first.some((p) => 'input' in p)) return { ok: false, why: 'the program itself is a placeholder' };
  return { ok: true, command: { words } };
}

function describeShellOnly(line: string, i: number): string {
  const c = line[i]!;
  if (c === '|') return line[i + 1] === '|' ? "'||'" : 'a pipe';
  if (c === '&') return line[i + 1] === '&' ? "'&&'" : 'a background job';
  if (c === ';') return "';'";
  if (c === '<' || c === '>') return 'a redirection';
  if (c === '*' || c === '?' || c === '[') return 'a glob';
  if (c === '~') return "'~' (the home directory)";
  if (c === '(' || c === ')') return 'a subshell';
  if (c === '`') return 'a command substitution';
  if (c === '{' || c === '}') return 'a brace expansion';
  return `'${c}'`;
}

function variableAt(line: string, i: number): { name: string; end: number } | undefined {
  const braced = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(line.slice(i));
  if (braced) return { name: braced[1]!, end: i + braced[0].length };
  const plain = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(line.slice(i));
  if (plain) return { name: plain[1]!, end: i + plain[0].length };
  return undefined;
}

/** `export NAME=value` / `NAME=value` on a line of its own: a variable the runbook asks for. */
export function assignment(line: string): { name: string; value: string } | undefined {
  const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
  if (!m) return undefined;
  let value = m[2]!.trim();
  if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1);
  else if (/[\s$`|;&()<>]/.test(value.replace(/^<[^>]+>$/, ''))) return undefined; // computed: not a plain value
  return { name: m[1]!, value };
}

/** A value that stands for "put yours here" rather than a default. */
export function isPlaceholderValue(v: string): boolean {
  return !v || /^<.*>$/.test(v) || /^(changeme|change-me|xxx+|todo|your[-_].*|\.\.\.|\$\{?[A-Z_]+\}?)$/i.test(v) || /^\$\(/.test(v);
}

// ── does it change things? ─────────────────────────────────────────────────────────────────────

const READ_PROGRAMS = new Set([
  'cat', 'less', 'head', 'tail', 'grep', 'egrep', 'zgrep', 'awk', 'wc', 'ls', 'ps', 'top', 'htop', 'df', 'du', 'free', 'uptime', 'vmstat', 'iostat', 'mpstat', 'sar',
  'dig', 'nslookup', 'host', 'ping', 'traceroute', 'mtr', 'netstat', 'ss', 'lsof', 'journalctl', 'dmesg', 'echo', 'printf', 'date', 'whoami', 'hostname', 'uname', 'env',
  'id', 'stat', 'file', 'find', 'which', 'jq', 'yq', 'openssl', 'nc', 'telnet', 'getent', 'ip', 'ifconfig', 'route', 'arp', 'lsblk', 'blkid', 'mount', 'sort', 'uniq', 'cut', 'tr',
  'test', 'true', 'sleep', 'watch', 'nproc', 'lscpu', 'pgrep', 'pidof', 'strace', 'tcpdump', 'wget', 'md5sum', 'sha256sum', 'base64', 'diff', 'etcdctl-status',
]);
const WRITE_PROGRAMS = new Set(['rm', 'rmdir', 'mv', 'cp', 'dd', 'mkfs', 'truncate', 'chmod', 'chown', 'kill', 'pkill', 'killall', 'reboot', 'shutdown', 'halt', 'poweroff', 'tee', 'touch', 'mkdir', 'ln', 'iptables', 'useradd', 'userdel', 'passwd', 'crontab', 'umount', 'swapoff', 'fsck', 'sysctl', 'apt', 'apt-get', 'yum', 'dnf', 'pip', 'npm']);
const KUBECTL_WRITE = new Set(['delete', 'apply', 'create', 'replace', 'patch', 'edit', 'scale', 'autoscale', 'drain', 'cordon', 'uncordon', 'taint', 'label', 'annotate', 'set', 'expose', 'run', 'exec', 'cp', 'debug', 'attach', 'port-forward']);
const KUBECTL_READ = new Set(['get', 'describe', 'logs', 'top', 'explain', 'api-resources', 'api-versions', 'cluster-info', 'version', 'events', 'auth', 'diff', 'wait']);
const AWS_WRITE = /^(create|delete|put|modify|stop|start|terminate|reboot|update|attach|detach|associate|disassociate|register|deregister|set|reset|restore|run|invoke|send|enable|disable|authorize|revoke|cancel|tag|untag|release|allocate|replace|import|copy|publish|execute|rotate|purge|remove|add|apply)(-|$)/;
const AWS_READ = /^(describe|get|list|head|batch-get|lookup|search|wait)(-|$)/;

export interface Classification {
  effect: 'read' | 'write';
  /** Why, when it was not recognised (a write by default). */
  unknown?: string;
}

/** Whether a command changes things, from its program and subcommand (argv words as plain text). */
export function classify(argv: string[]): Classification {
  let words = argv;
  while (words[0] === 'sudo' || words[0] === 'time' || words[0] === 'nice') words = words.slice(1);
  const [prog = '', ...rest] = words;
  const base = prog.split('/').pop() ?? prog;
  const positional = rest.filter((w) => !w.startsWith('-'));
  if (base === 'kubectl' || base === 'oc') {
    const verb = positional[0] ?? '';
    if (verb === 'rollout') return positional[1] === 'status' || positional[1] === 'history' ? { effect: 'read' } : { effect: 'write' };
    if (KUBECTL_WRITE.has(verb)) return { effect: 'write' };
    if (KUBECTL_READ.has(verb)) return { effect: 'read' };
    return { effect: 'write', unknown: `kubectl ${verb}` };
  }
  if (base === 'aws') {
    const [service = '', op = ''] = positional;
    if (service === 's3') return ['ls', 'presign'].includes(op) ? { effect: 'read' } : { effect: 'write' };
    if (AWS_READ.test(op)) return { effect: 'read' };
    if (AWS_WRITE.test(op)) return { effect: 'write' };
    return { effect: 'write', unknown: `aws ${service} ${op}` };
  }
  if (base === 'systemctl' || base === 'service') {
    const verb = base === 'service' ? positional[1] : positional[0];
    return ['status', 'show', 'is-active', 'is-enabled', 'is-failed', 'list-units', 'cat'].includes(verb ?? '') ? { effect: 'read' } : { effect: 'write' };
  }
  if (base === 'docker' || base === 'podman' || base === 'crictl') {
    return ['ps', 'logs', 'inspect', 'images', 'stats', 'top', 'version', 'info', 'pods', 'port'].includes(positional[0] ?? '') ? { effect: 'read' } : { effect: 'write' };
  }
  if (base === 'helm') return ['list', 'ls', 'status', 'history', 'get', 'show', 'search', 'version', 'template', 'lint'].includes(positional[0] ?? '') ? { effect: 'read' } : { effect: 'write' };
  if (base === 'git') return ['status', 'log', 'diff', 'show', 'fetch', 'branch'].includes(positional[0] ?? '') ? { effect: 'read' } : { effect: 'write' };
  if (base === 'terraform') return ['plan', 'show', 'output', 'validate', 'state'].includes(positional[0] ?? '') && positional[1] !== 'rm' ? { effect: 'read' } : { effect: 'write' };
  if (base === 'curl') {
    const method = methodOf(rest);
    return !method || method === 'GET' || method === 'HEAD' ? { effect: 'read' } : { effect: 'write' };
  }
  if (base === 'sed') return rest.some((w) => /^-i/.test(w) || w === '--in-place') ? { effect: 'write' } : { effect: 'read' };
  if (base === 'node' && /ctl\.mjs$/.test(positional[0] ?? '')) return ['status'].includes(positional[1] ?? '') ? { effect: 'read' } : { effect: 'write' };
  if (READ_PROGRAMS.has(base)) return { effect: 'read' };
  if (WRITE_PROGRAMS.has(base)) return { effect: 'write' };
  return { effect: 'write', unknown: base };
}

function methodOf(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-X' || a === '--request') return args[i + 1]?.toUpperCase();
    if (a.startsWith('-X') && a.length > 2) return a.slice(2).toUpperCase();
    if (a === '-d' || a === '--data' || a.startsWith('--data-') || a === '-F' || a === '--form') return 'POST';
    if (a === '-I' || a === '--head') return 'HEAD';
  }
  return undefined;
}

/** The words as plain text, placeholders as `<name>` (for classification and messages). */
export function plainWords(cmd: SimpleCommand): string[] {
  return cmd.words.map((w) => w.map((p) => ('text' in p ? p.text : `<${p.input}>`)).join(''));
}

/** A word as a runbook value: literal text, or text with `${{ inputs.x }}` where the placeholders were. */
export function templateWord(w: Word, names: (raw: string) => string): string {
  return w.map((p) => ('text' in p ? p.text : `\${{ inputs.${names(p.input)} }}`)).join('');
}

// The `oncall` executable (behind the launcher that scripts/build.mjs writes): hands argv to the
// CLI. Exactly one place sets the exit code.

// A reader that goes away (`oncall verify <id> | true`, `… | head -1`) is not a failure of oncall:
// writes to it stop, quietly, and the command finishes with its own exit code (an incident being
// run is not abandoned half-way because nobody reads its progress). Any other error on an output
// stream is one line, never a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') return;
    if (stream === process.stdout && process.stderr.writable) process.stderr.write(`oncall: cannot write to stdout: ${err.code ?? err.message}\n`);
    process.exitCode = 1;
  });
}

const { main } = await import('./cli.js');
try {
  const code = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    handleSignals: true,
  });
  // A write error above (other than a closed pipe) already set 1.
  process.exitCode = process.exitCode || code;
} catch (err) {
  // Errors for people: the message, not a stack trace (ONCALL_DEBUG=1 shows it); what it quotes
  // is shown, never obeyed by the terminal.
  const { visible } = await import('./core/terminal-text.js');
  process.stderr.write(visible(`oncall: ${err instanceof Error ? (process.env.ONCALL_DEBUG ? err.stack : err.message) : String(err)}\n`));
  process.exitCode = 1;
}

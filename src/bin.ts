// The `oncall` executable (behind the launcher that scripts/build.mjs writes): hands argv to the
// CLI. Exactly one place sets the exit code.
const { main } = await import('./cli.js');
try {
  process.exitCode = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    handleSignals: true,
  });
} catch (err) {
  // Errors for people: the message, not a stack trace (ONCALL_DEBUG=1 shows it).
  process.stderr.write(`oncall: ${err instanceof Error ? (process.env.ONCALL_DEBUG ? err.stack : err.message) : String(err)}\n`);
  process.exitCode = 1;
}

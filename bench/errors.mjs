/**
 * Imported (for its effect) by the bench scripts that start a backend: an error that stops a script, such as a
 * backend that cannot start or a bad option value, prints one `error: <message>` line and exits with code 2,
 * as the `nac` CLI does, instead of an engine stack trace. NAC_DEBUG=1 prints the stack too.
 */
process.on('uncaughtException', (err) => {
  process.stderr.write(`error: ${err?.message ?? String(err)}\n`);
  if (!['', '0', undefined].includes(process.env.NAC_DEBUG)) process.stderr.write(`${err?.stack}\n`);
  process.exit(2);
});

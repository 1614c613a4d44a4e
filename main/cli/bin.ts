// Process entry of the geosift command: wires real streams, Ctrl-C and the exit code to runCli.
// The signal handlers go in before the CLI (and ONNX Runtime) load, so Ctrl-C during start-up is clean too.

const controller = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts++;
  if (interrupts === 1) {
    process.stderr.write('\ngeosift: stopping (Ctrl-C again to force)\n');
    controller.abort();
  } else {
    process.exit(130);
  }
});
process.on('SIGTERM', () => controller.abort());

const { runCli } = await import('./main.js');
const code = controller.signal.aborted ? 130 : await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal });
process.exitCode = code;

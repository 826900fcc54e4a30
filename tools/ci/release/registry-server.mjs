// Verdaccio for release-check.mjs, in a process that cannot outlive the check: the check holds
// this process's stdin open and never writes to it, so when the check ends for any reason
// (SIGKILL included, when no `finally` runs) stdin reaches its end and the registry exits.
//
//   node registry-server.mjs <config.yaml> <host> <port>
import { runServer } from 'verdaccio';

const [config, host, port] = process.argv.slice(2);
const server = await runServer(config);
const stop = () => server.close(() => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
server.listen(Number(port), host);

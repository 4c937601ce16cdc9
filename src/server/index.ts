/** Starts the language server on the transport named on the command line (`--stdio`, `--node-ipc`, `--socket=N`). */
import { createConnection, ProposedFeatures } from "vscode-languageserver/node";
import { LeaklintServer } from "./server";

export { LeaklintServer } from "./server";

export function startServer(): void {
  const connection = createConnection(ProposedFeatures.all);
  // A bug must cost one request or one file, never the editor's diagnostics.
  process.on("uncaughtException", (e) => connection.console.error(`uncaught exception: ${e.stack ?? e.message}`));
  process.on("unhandledRejection", (e) => connection.console.error(`unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
  new LeaklintServer(connection).listen();
}

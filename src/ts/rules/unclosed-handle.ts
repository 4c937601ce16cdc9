/**
 * unclosed-handle (TS/JS): FileHandles from fs.promises.open, descriptors from
 * fs.openSync and sockets from net.connect/createConnection that are not closed
 * on every path leak file descriptors until the process hits its limit.
 */
import { mustReleaseRule } from "./must-release-rule";

export const unclosedHandle = mustReleaseRule({
  id: "unclosed-handle",
  languages: ["ts"],
  defaultSeverity: "error",
  shortDescription: "A file or network handle is not closed on every path.",
  fullDescription:
    "A FileHandle from fs.promises.open, a descriptor from fs.openSync or fs.open and a socket from net.connect/createConnection or tls.connect hold a file descriptor until closed. " +
    "A path that returns or throws before close() (or fs.closeSync(fd), socket.end()/destroy()) leaks the descriptor; enough of them and the process cannot open files or accept connections.",
  docs: "docs/rules/unclosed-handle.md",
  fixable: "suggestion",
  nolintAliases: [],
  options: [],
});

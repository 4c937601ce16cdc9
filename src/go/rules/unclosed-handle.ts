/**
 * unclosed-handle: files from os.Open/Create/OpenFile/CreateTemp and sockets
 * from net.Dial, net.Listen and friends that are not closed on an error path leak file
 * descriptors until the process hits its limit.
 */
import { mustReleaseRule } from "./must-release-rule";

export const unclosedHandle = mustReleaseRule({
  id: "unclosed-handle",
  languages: ["go"],
  defaultSeverity: "error",
  shortDescription: "A file or network handle is not closed on every path.",
  fullDescription:
    "Files from os.Open/Create/OpenFile/CreateTemp and connections or listeners from net.Dial*, net.Listen*, net.ListenPacket and tls.Dial hold a file descriptor until closed. " +
    "A constructor that returns an error after dialing, or a function that returns early after opening, leaks the descriptor; enough of them and the process cannot open files or accept connections.",
  docs: "docs/rules/unclosed-handle.md",
  fixable: "fix",
  nolintAliases: [],
  options: [],
});

/**
 * Open documents for editors: the last tree of each document is kept, and the
 * next version is parsed incrementally from it. An edit is found as the span
 * between the texts' common prefix and common suffix, which is exactly one
 * keystroke, paste or multi-line replace.
 */
import type { Tree } from "./parser";
import { parseGo } from "./parser";

interface Document {
  text: string;
  tree: Tree;
}

/** Documents kept at once; an editor rarely has more open, and each tree costs WASM memory. */
const MAX_DOCUMENTS = 64;

export class GoDocuments {
  private readonly documents = new Map<string, Document>();

  /** A tree for `text` that the caller must not delete: it stays the document's until the next version. */
  parse(file: string, text: string): Tree {
    const previous = this.documents.get(file);
    let tree: Tree;
    if (previous && previous.text === text) {
      tree = previous.tree;
    } else if (previous) {
      previous.tree.edit(editBetween(previous.text, text));
      tree = parseGo(text, previous.tree);
      previous.tree.delete();
    } else {
      tree = parseGo(text);
    }
    this.documents.delete(file);
    this.documents.set(file, { text, tree });
    if (this.documents.size > MAX_DOCUMENTS) {
      const [oldest, doc] = this.documents.entries().next().value as [string, Document];
      doc.tree.delete();
      this.documents.delete(oldest);
    }
    return tree;
  }

  forget(file: string): void {
    this.documents.get(file)?.tree.delete();
    this.documents.delete(file);
  }
}

function editBetween(before: string, after: string) {
  const max = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < max && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < max - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  return {
    startIndex: prefix,
    oldEndIndex: before.length - suffix,
    newEndIndex: after.length - suffix,
    startPosition: pointAt(before, prefix),
    oldEndPosition: pointAt(before, before.length - suffix),
    newEndPosition: pointAt(after, after.length - suffix),
  };
}

function pointAt(text: string, index: number) {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: index - lineStart };
}

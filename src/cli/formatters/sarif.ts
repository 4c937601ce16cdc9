/**
 * SARIF 2.1.0, the format GitHub code scanning and other CI dashboards import.
 * Locations are relative to %SRCROOT% (the working directory) so the same
 * report is valid on any checkout, and each result carries a fingerprint that
 * does not contain the line number: a finding keeps its identity (and its
 * dismissal) when code above it moves.
 */
import * as crypto from "node:crypto";
import { pathToFileURL } from "node:url";
import { Finding, Range, RuleMeta, Severity, ToolNotice } from "../../core/types";
import { docsUrl, informationUri, version } from "../package-info";
import { AnalyzedFile } from "../analyze";
import { oneBased, relativePath, ScanReport } from "../report";

const SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT = "%SRCROOT%";
const FINGERPRINT_KEY = "leaklint/v1";
const LEVELS: Record<Severity, string> = { error: "error", warning: "warning", info: "note" };

export function formatSarif(report: ScanReport): string {
  const uriOf = (file: string) => relativePath(report.root, file).split("/").map(encodeURIComponent).join("/");
  const location = (file: string, range: Range) => ({
    physicalLocation: {
      artifactLocation: { uri: uriOf(file), uriBaseId: SRCROOT },
      region: regionOf(range),
    },
  });
  const ruleIndex = new Map(report.rules.map((r, i) => [r.id, i]));

  const result = (file: AnalyzedFile, finding: Finding, fingerprint: string) => ({
    ruleId: finding.ruleId,
    ...(ruleIndex.has(finding.ruleId) ? { ruleIndex: ruleIndex.get(finding.ruleId) } : {}),
    level: LEVELS[finding.severity],
    message: { text: finding.message },
    locations: [location(file.file, finding.range)],
    ...(finding.related.length > 0
      ? { relatedLocations: finding.related.map((r, id) => ({ id, ...location(r.file, r.range), message: { text: r.message } })) }
      : {}),
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint },
    ...(finding.fixes.length > 0
      ? {
          fixes: finding.fixes.map((fix) => ({
            description: { text: fix.kind === "suggestion" ? `${fix.title} (suggestion: review before applying)` : fix.title },
            artifactChanges: [
              {
                artifactLocation: { uri: uriOf(file.file), uriBaseId: SRCROOT },
                replacements: fix.edits.map((e) => ({
                  deletedRegion: { charOffset: e.start, charLength: e.end - e.start },
                  insertedContent: { text: e.newText },
                })),
              },
            ],
          })),
        }
      : {}),
  });

  const results = report.files.flatMap((file) => {
    const fingerprints = fingerprintsOf(file, uriOf(file.file));
    return file.findings.map((finding, i) => result(file, finding, fingerprints[i]));
  });

  const notification = (notice: ToolNotice) => ({
    level: notice.kind === "internal" ? "error" : "warning",
    message: { text: notice.message },
    locations: [{ physicalLocation: { artifactLocation: { uri: uriOf(notice.file), uriBaseId: SRCROOT } } }],
  });

  const sarif = {
    $schema: SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "leaklint",
            version,
            semanticVersion: version,
            informationUri,
            rules: report.rules.map(ruleDescriptor),
          },
        },
        invocations: [
          {
            executionSuccessful: !report.notices.some((n) => n.kind === "internal"),
            toolExecutionNotifications: report.notices.map(notification),
          },
        ],
        originalUriBaseIds: { [SRCROOT]: { uri: directoryUri(report.root) } },
        columnKind: "utf16CodeUnits",
        results,
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + "\n";
}

function ruleDescriptor(rule: RuleMeta) {
  const helpUri = docsUrl(rule.docs);
  return {
    id: rule.id,
    shortDescription: { text: rule.shortDescription },
    fullDescription: { text: rule.fullDescription },
    help: {
      text: `${rule.fullDescription}\n\nDocumentation: ${helpUri}`,
      markdown: `${rule.fullDescription}\n\n[Documentation for ${rule.id}](${helpUri})`,
    },
    helpUri,
    defaultConfiguration: { level: LEVELS[rule.defaultSeverity] },
    properties: {
      tags: ["reliability", "resource-leak", ...rule.languages],
      languages: rule.languages,
      fixable: rule.fixable,
    },
  };
}

/** SARIF columns count UTF-16 code units here (`columnKind`), as the engine's do. */
function regionOf(range: Range) {
  const { line, column, endLine, endColumn } = oneBased({ range });
  return { startLine: line, startColumn: column, endLine, endColumn };
}

/**
 * A hash of rule, file and the trimmed text of the reported line, plus a counter that
 * tells apart identical lines in one file. No line number, so edits elsewhere keep it.
 */
function fingerprintsOf(file: AnalyzedFile, uri: string): string[] {
  const seen = new Map<string, number>();
  return file.findings.map((finding, i) => {
    const key = `${finding.ruleId}\0${uri}\0${file.lines[i]}`;
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    return `${crypto.createHash("sha256").update(key).digest("hex").slice(0, 32)}:${occurrence}`;
  });
}

function directoryUri(dir: string): string {
  const href = pathToFileURL(dir).href;
  return href.endsWith("/") ? href : `${href}/`;
}

/**
 * Facts about the installed leaklint package that outputs quote: the version
 * (`--version`, SARIF) and where a rule's documentation lives on the web.
 */
import * as fs from "node:fs";
import * as path from "node:path";

interface PackageJson {
  name: string;
  version: string;
  homepage?: string;
  repository?: string | { url?: string };
}

/** dist/cli/ is two levels below the package root, in the repo and when installed. */
export const PACKAGE_ROOT = path.resolve(__dirname, "..", "..");

export const packageJson: PackageJson = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8"));

export const version = packageJson.version;

/** SARIF needs absolute URIs; the npm page is the one that exists for every published version. */
export const informationUri = packageJson.homepage ?? `https://www.npmjs.com/package/${packageJson.name}`;

/**
 * A docs page (`docs/rules/<id>.md`, relative to the package root) as an absolute URL: on
 * GitHub at the release tag when package.json names a GitHub repository, otherwise the
 * file as published in the npm tarball.
 */
export function docsUrl(docsPath: string): string {
  const repo = githubRepository();
  if (repo) return `${repo}/blob/v${version}/${docsPath}`;
  return `https://unpkg.com/${packageJson.name}@${version}/${docsPath}`;
}

function githubRepository(): string | undefined {
  const raw = typeof packageJson.repository === "string" ? packageJson.repository : packageJson.repository?.url;
  const match = raw?.match(/github\.com[/:]([^/]+\/[^/#]+?)(?:\.git)?(?:#.*)?$/) ?? raw?.match(/^github:([^/]+\/[^/#]+)$/);
  return match ? `https://github.com/${match[1]}` : undefined;
}

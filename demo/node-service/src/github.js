// GitHub API calls: the latest release of a repository and the CI status of a commit.
const API = "https://api.github.com";

function headers() {
  return {
    accept: "application/vnd.github+json",
    authorization: `Bearer ${process.env.GITHUB_TOKEN}`,
  };
}

export async function latestRelease(repo) {
  const res = await fetch(`${API}/repos/${repo}/releases/latest`, { headers: headers() });
  if (!res.ok) {
    return null;
  }
  const release = await res.json();
  return { tag: release.tag_name, publishedAt: release.published_at };
}

export async function commitStatus(repo, sha) {
  const res = await fetch(`${API}/repos/${repo}/commits/${sha}/status`, { headers: headers() });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`GitHub status for ${repo}@${sha}: ${res.status}`);
  }
  const { state } = await res.json();
  return state;
}

export function contributors(repo) {
  return fetch(`${API}/repos/${repo}/contributors`, { headers: headers() }).then((r) => r.json());
}

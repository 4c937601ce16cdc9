// PostgreSQL access for the dashboard: one pool for the process.
import pg from "pg";

export const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: 10,
});

export async function listDeploys(service, limit = 20) {
  // pool.query checks a client out and gives it back by itself.
  const { rows } = await pool.query(
    "SELECT id, service, version, status, finished_at FROM deploys WHERE service = $1 ORDER BY id DESC LIMIT $2",
    [service, limit],
  );
  return rows;
}

export async function recordDeploy(deploy) {
  const client = await pool.connect();
  await client.query("BEGIN");
  const { rows } = await client.query(
    "INSERT INTO deploys (service, version, status) VALUES ($1, $2, $3) RETURNING id",
    [deploy.service, deploy.version, deploy.status],
  );
  await client.query("UPDATE services SET current_version = $1 WHERE name = $2", [deploy.version, deploy.service]);
  await client.query("COMMIT");
  client.release();
  return rows[0].id;
}

export async function finishDeploy(id, status) {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("UPDATE deploys SET status = $1, finished_at = now() WHERE id = $2", [status, id]);
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK");
    throw err;
  } finally {
    client.release();
  }
}

export async function pendingNotifications() {
  const { rows } = await pool.query("SELECT id, service, version, status FROM deploys WHERE finished_at IS NOT NULL AND notified_at IS NULL");
  return rows;
}

export async function markNotified(id) {
  await pool.query("UPDATE deploys SET notified_at = now() WHERE id = $1", [id]);
}

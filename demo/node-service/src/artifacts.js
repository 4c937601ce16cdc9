// Build artifacts are fetched from the internal store over TLS.
import https from "node:https";

export function registerArtifactRoutes(app) {
  // The incident: a new Agent (its own connection pool) for every request, never reused or destroyed.
  app.get("/artifacts/:id", (req, res) => {
    const agent = new https.Agent({ keepAlive: true, ca: process.env.STORE_CA });
    https
      .get(`https://artifacts.internal/v1/${encodeURIComponent(req.params.id)}`, { agent }, (upstream) => {
        res.status(upstream.statusCode ?? 502);
        upstream.pipe(res);
      })
      .on("error", (err) => res.status(502).json({ error: err.message }));
  });
}

// The dashboard's HTTP API.
import express from "express";
import { finishDeploy, listDeploys, recordDeploy } from "./db.js";
import { commitStatus, latestRelease } from "./github.js";
import { registerArtifactRoutes } from "./artifacts.js";
import { startNotifier } from "./notifier.js";
import { registerSessionRoutes } from "./sessions.js";

const app = express();
app.use(express.json());

app.get("/services/:name/deploys", async (req, res, next) => {
  try {
    res.json(await listDeploys(req.params.name));
  } catch (err) {
    next(err);
  }
});

app.post("/deploys", async (req, res, next) => {
  try {
    const ci = await commitStatus(req.body.repo, req.body.sha);
    if (ci !== "success") {
      res.status(409).json({ error: `CI is ${ci}` });
      return;
    }
    const id = await recordDeploy({ service: req.body.service, version: req.body.version, status: "running" });
    res.status(201).json({ id });
  } catch (err) {
    next(err);
  }
});

app.post("/deploys/:id/finish", async (req, res, next) => {
  try {
    await finishDeploy(Number(req.params.id), req.body.status);
    res.status(204).end();
  } catch (err) {
    next(err);
  }
});

app.get("/services/:name/release", async (req, res, next) => {
  try {
    res.json((await latestRelease(req.query.repo)) ?? { tag: null });
  } catch (err) {
    next(err);
  }
});

registerArtifactRoutes(app);
registerSessionRoutes(app);
startNotifier();

const server = app.listen(Number(process.env.PORT ?? 8080));
server.headersTimeout = 10_000;
// The incident: "long builds upload slowly", so the request timeout went to zero: a client that never finishes its request holds the socket forever.
server.requestTimeout = 0;

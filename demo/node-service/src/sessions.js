// Per-user dashboard sessions.
import { LRUCache } from "lru-cache";

export class SessionView {
  constructor(user) {
    this.user = user;
    // The incident: every view builds its own 10,000-entry cache.
    this.recent = new LRUCache({ max: 10000 });
  }

  remember(key, value) {
    this.recent.set(key, value);
  }
}

export function registerSessionRoutes(app) {
  app.get("/me/recent", (req, res) => {
    const view = new SessionView(req.headers["x-user"]);
    res.json([...view.recent.keys()]);
  });
}

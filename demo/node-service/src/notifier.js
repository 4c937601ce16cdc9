// Sends chat notifications for finished deploys.
import { pendingNotifications, markNotified } from "./db.js";

async function notify(deploy) {
  const res = await fetch(process.env.CHAT_WEBHOOK, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text: `${deploy.service} ${deploy.version}: ${deploy.status}` }),
  });
  await res.text();
  await markNotified(deploy.id);
}

// The incident: every tick starts one request per pending row, however many rows there are.
export function startNotifier() {
  setInterval(async () => {
    const deploys = await pendingNotifications();
    await Promise.all(deploys.map(async (d) => notify(d)));
  }, 1000);
}

// Asks a health endpoint for its status and never reads or cancels the body.
export async function status(url: string): Promise<number> {
  const res = await fetch(url);
  return res.status;
}

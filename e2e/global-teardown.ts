import fs from "node:fs";
import { e2eStateFile } from "./server";

export default async function globalTeardown(): Promise<void> {
  if (!fs.existsSync(e2eStateFile)) return;
  const { pid } = JSON.parse(fs.readFileSync(e2eStateFile, "utf8")) as { pid: number };
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    // already gone
  }
  fs.rmSync(e2eStateFile);
}

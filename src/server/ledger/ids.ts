import crypto from "node:crypto";

const poolBytes = 16 * 1024;
const pool = Buffer.alloc(poolBytes);
let poolOffset = poolBytes;
let lastMs = -1;
let lastTimeHex = "";

/**
 * A UUIDv7: 48 bits of Unix milliseconds then randomness, so transaction ids sort by creation time
 * and the primary-key index grows at its right edge instead of splitting random pages. Random bytes
 * come from a pooled buffer: a batch makes 8,190 of these.
 */
export function newTransactionId(nowMs: number = Date.now()): string {
  if (poolOffset + 10 > poolBytes) {
    crypto.randomFillSync(pool);
    poolOffset = 0;
  }
  if (nowMs !== lastMs) {
    lastMs = nowMs;
    lastTimeHex = Math.trunc(nowMs).toString(16).padStart(12, "0").slice(-12);
  }
  const random = pool.toString("hex", poolOffset, poolOffset + 10);
  poolOffset += 10;
  const variant = ((parseInt(random[3]!, 16) & 0x3) | 0x8).toString(16);
  return `${lastTimeHex.slice(0, 8)}-${lastTimeHex.slice(8)}-7${random.slice(0, 3)}-${variant}${random.slice(4, 7)}-${random.slice(8, 20)}`;
}

export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

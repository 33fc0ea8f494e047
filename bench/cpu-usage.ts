import fs from "node:fs";

/**
 * CPU time used so far, in microseconds, by the processes a benchmark cares about, read from
 * /proc (Linux): PostgreSQL's (every process whose command line starts with `postgres`), the
 * server's (the process group we started it in) and this process's. On 2 cores, where every
 * part shares the CPU, per-event CPU says more than throughput alone which part to make cheaper.
 * Processes that exited between two readings are missed (a benchmark's connections stay open).
 */
export type CpuUsage = { postgresUs: number; serverUs: number; clientUs: number };

const clockTicksPerSecond = 100;

/**
 * `database`: count only the PostgreSQL backends serving that database (their command line names
 * it), so other work on a shared machine's clusters is left out (the cluster's own writer and WAL
 * processes then are too).
 */
export function readCpuUsage(serverProcessGroup: number | undefined, options: { database?: string } = {}): CpuUsage | null {
  if (!fs.existsSync("/proc/self/stat")) return null;
  let postgresTicks = 0;
  let serverTicks = 0;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command name, which is in parentheses and may hold spaces.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
      if (serverProcessGroup !== undefined && Number(fields[2]) === serverProcessGroup) serverTicks += ticks;
      else {
        const command = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8");
        if (command.startsWith("postgres") && (options.database === undefined || command.includes(` ${options.database} `))) postgresTicks += ticks;
      }
    } catch {
      // The process exited while we read it.
    }
  }
  const self = process.cpuUsage();
  const microsecondsPerTick = 1_000_000 / clockTicksPerSecond;
  return { postgresUs: postgresTicks * microsecondsPerTick, serverUs: serverTicks * microsecondsPerTick, clientUs: self.user + self.system };
}

/** CPU microseconds per unit of work between two readings, per part. */
export function cpuPerUnit(before: CpuUsage | null, after: CpuUsage | null, units: number): CpuUsage | null {
  if (!before || !after || units <= 0) return null;
  return {
    postgresUs: (after.postgresUs - before.postgresUs) / units,
    serverUs: (after.serverUs - before.serverUs) / units,
    clientUs: (after.clientUs - before.clientUs) / units,
  };
}

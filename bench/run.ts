import fs from "node:fs";
import path from "node:path";

/** `npm run bench -- <suite> [<suite> ...]`; no suite runs them all. Each suite is bench/suites/<name>.ts. */
async function main(): Promise<void> {
  const directory = path.resolve(import.meta.dirname, "suites");
  const available = fs.existsSync(directory)
    ? fs.readdirSync(directory).filter((file) => file.endsWith(".ts")).map((file) => file.replace(/\.ts$/, "")).sort()
    : [];
  const requested = process.argv.slice(2).filter((arg) => !arg.startsWith("-"));
  const suites = requested.length > 0 ? requested : available;
  for (const suite of suites) {
    if (!available.includes(suite)) {
      console.error(`Unknown benchmark suite "${suite}". Suites: ${available.join(", ") || "(none yet)"}`);
      process.exit(2);
    }
  }
  for (const suite of suites) {
    console.log(`# ${suite}`);
    const suiteModule = (await import(path.join(directory, `${suite}.ts`))) as { run: () => Promise<void> };
    await suiteModule.run();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

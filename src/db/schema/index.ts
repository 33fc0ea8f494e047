// One file per domain; each later domain adds its line here.
export * from "./audit";
export * from "./auth";
export * from "./customers";

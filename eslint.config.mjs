import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";
import drizzle from "eslint-plugin-drizzle";

const domainBoundary = {
  patterns: [
    { group: ["next", "next/*"], message: "Domains never import Next.js; route handlers and pages call domains." },
    { group: ["@trpc/*"], message: "Domains never import tRPC; routers call domains." },
    { group: ["inngest", "inngest/*", "~/inngest/*"], message: "Domains never import Inngest; functions in inngest/ wrap domains." },
    { group: ["react", "react-dom", "react/*"], message: "Domains never import React." },
    { group: ["@/app/*", "@/components/*", "@/trpc/*", "@/server/api/*"], message: "Layers point one way: app → api → domain → db." },
  ],
};

const config = [
  { ignores: [".next/**", ".next-*/**", ".data/**", "node_modules/**", "drizzle/**", "test-results/**", "playwright-report/**", "next-env.d.ts", "bench/results/**", "src/server/http/v1/generated/**"] },
  ...nextCoreWebVitals,
  ...nextTypescript,
  {
    plugins: { drizzle },
    rules: {
      "drizzle/enforce-delete-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
      "drizzle/enforce-update-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-restricted-syntax": [
        "error",
        { selector: "CallExpression[callee.name='parseFloat']", message: "Money and quantities are never floating point: use bigint micro-units or decimal.js." },
      ],
    },
  },
  {
    files: ["src/server/**/*.ts"],
    // Tests may exercise any layer (a route handler's test imports the route).
    ignores: ["src/server/api/**", "src/server/auth/**", "**/*.test.ts"],
    rules: { "no-restricted-imports": ["error", domainBoundary] },
  },
];

export default config;

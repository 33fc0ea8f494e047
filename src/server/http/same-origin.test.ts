import { describe, expect, it } from "vitest";
import { crossOriginProblem } from "./same-origin";

const headers = (init: Record<string, string>) => new Headers(init);

describe("same-origin check for console mutations (issue 16 #12)", () => {
  it("refuses a browser POST from another site", () => {
    expect(crossOriginProblem(headers({ host: "tally.example.com", origin: "https://evil.example" }))).not.toBeNull();
    expect(crossOriginProblem(headers({ host: "tally.example.com", origin: "https://tally.example.com.evil.example" }))).not.toBeNull();
    expect(crossOriginProblem(headers({ host: "tally.example.com", origin: "null" }))).not.toBeNull();
    expect(crossOriginProblem(headers({ host: "localhost:3110", origin: "http://localhost:3999" }))).not.toBeNull();
    expect(crossOriginProblem(headers({ host: "tally.example.com", "sec-fetch-site": "cross-site" }))).not.toBeNull();
    expect(crossOriginProblem(headers({ host: "tally.example.com", origin: "javascript://tally.example.com" }))).not.toBeNull();
  });

  it("allows this site, behind a proxy too, and non-browser clients", () => {
    expect(crossOriginProblem(headers({ host: "localhost:3110", origin: "http://localhost:3110", "sec-fetch-site": "same-origin" }))).toBeNull();
    expect(crossOriginProblem(headers({ host: "10.0.0.5:3000", "x-forwarded-host": "tally.example.com", origin: "https://tally.example.com" }))).toBeNull();
    expect(crossOriginProblem(headers({ host: "tally.example.com" }))).toBeNull();
  });
});

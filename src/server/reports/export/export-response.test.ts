import { describe, expect, it } from "vitest";
import { withRequestContext } from "@/server/observability/request-context";
import { errorToResponse } from "./export-response";

describe("report export errors (issue 16 #7)", () => {
  it("answer an unexpected failure with a code and the request id, not its SQL or parameters", async () => {
    const failure = new Error('Failed query: select * from customers where email = $1\nparams: jane.doe@customer.example');
    const response = withRequestContext({ requestId: "req_export_test" }, () => errorToResponse(failure));
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toContain("jane.doe@customer.example");
    expect(text).not.toContain("Failed query");
    expect(JSON.parse(text)).toMatchObject({ error: { code: "internal_error", request_id: "req_export_test" } });
  });
});

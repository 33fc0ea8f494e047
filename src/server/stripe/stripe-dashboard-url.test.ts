import { describe, expect, it } from "vitest";
import { stripeDashboardUrl } from "./stripe-client";

describe("stripeDashboardUrl", () => {
  it("links test and live objects to their dashboard page", () => {
    expect(stripeDashboardUrl("test", "customers", "cus_Q1x2")).toBe("https://dashboard.stripe.com/test/customers/cus_Q1x2");
    expect(stripeDashboardUrl("live", "invoices", "in_1AbC")).toBe("https://dashboard.stripe.com/invoices/in_1AbC");
  });

  it("links nothing the dashboard cannot show: the emulator's objects and the demo seed's own history", () => {
    expect(stripeDashboardUrl("emulator", "customers", "cus_Q1x2")).toBeNull();
    expect(stripeDashboardUrl("test", "customers", "cus_demo_3kx9")).toBeNull();
    expect(stripeDashboardUrl("test", "invoices", "in_demo_0042")).toBeNull();
    // An id that merely contains the word is a real object.
    expect(stripeDashboardUrl("test", "customers", "cus_Xdemo_1")).toBe("https://dashboard.stripe.com/test/customers/cus_Xdemo_1");
  });
});

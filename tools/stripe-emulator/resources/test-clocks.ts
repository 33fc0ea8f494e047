import type Stripe from "stripe";
import type { Engine } from "../engine";
import { invalidRequest } from "../errors";
import { paginate } from "../list";
import { route, pathParam, type Route } from "../router";

/**
 * Advancing runs everything due on the clock in time order before answering, so the clock is
 * `ready` in the response (Stripe answers `advancing` and finishes later; polling code works with both).
 */
function advance(engine: Engine, clock: Stripe.TestHelpers.TestClock, frozenTime: number): Stripe.TestHelpers.TestClock {
  if (frozenTime <= clock.frozen_time)
    throw invalidRequest("The frozen_time must be after the test clock's current frozen_time.", "frozen_time");
  clock.status = "advancing";
  clock.status_details = { advancing: { target_frozen_time: frozenTime } };
  engine.emit("test_helpers.test_clock.advancing", clock);
  engine.runDue(clock.id, frozenTime);
  clock.frozen_time = frozenTime;
  clock.status = "ready";
  clock.status_details = {};
  engine.emit("test_helpers.test_clock.ready", clock);
  return clock;
}

export const testClockRoutes: Route[] = [
  route("POST", "/v1/test_helpers/test_clocks", ({ engine, params }) => {
    const frozenTime = params.requiredInteger("frozen_time", { min: 0 });
    const clock: Stripe.TestHelpers.TestClock = {
      id: engine.id("clock"),
      object: "test_helpers.test_clock",
      created: engine.globalNow(),
      deletes_after: engine.globalNow() + 30 * 86_400,
      frozen_time: frozenTime,
      livemode: false,
      name: params.string("name", { maxLength: 300 }) ?? null,
      status: "ready",
      status_details: {},
    };
    engine.store.insert("test_helpers.test_clock", clock);
    engine.emit("test_helpers.test_clock.created", clock);
    return clock;
  }),
  route("GET", "/v1/test_helpers/test_clocks/:id", (request) => request.engine.store.require("test_helpers.test_clock", pathParam(request, "id"))),
  route("GET", "/v1/test_helpers/test_clocks", ({ engine, params }) => paginate(engine.store.all("test_helpers.test_clock"), params, "/v1/test_helpers/test_clocks")),
  route("POST", "/v1/test_helpers/test_clocks/:id/advance", (request) => {
    const clock = request.engine.store.require("test_helpers.test_clock", pathParam(request, "id"));
    return advance(request.engine, clock, request.params.requiredInteger("frozen_time", { min: 0 }));
  }),
  route("DELETE", "/v1/test_helpers/test_clocks/:id", (request) => {
    const { engine } = request;
    const clock = engine.store.require("test_helpers.test_clock", pathParam(request, "id"));
    for (const customer of engine.store.all("customer")) if (customer.test_clock === clock.id) engine.store.remove("customer", customer.id);
    engine.store.remove("test_helpers.test_clock", clock.id);
    engine.emit("test_helpers.test_clock.deleted", clock);
    return { id: clock.id, object: "test_helpers.test_clock", deleted: true };
  }),
];

import type Stripe from "stripe";
import { cloneDeep, type Engine } from "../engine";
import { invalidRequest, missingParam } from "../errors";
import { createdFilter, paginate } from "../list";
import { isDecimalString } from "../money";
import { buildPrice, buildProduct, planFromPrice } from "../objects/catalog";
import type { Params } from "../params";
import { route, pathParam, type Route } from "../router";

function createProduct(engine: Engine, params: Params): Stripe.Product {
  const product = buildProduct({
    id: params.string("id") ?? engine.id("prod", 14),
    created: engine.globalNow(),
    name: params.requiredString("name"),
    description: params.string("description") ?? null,
    active: params.boolean("active") ?? true,
    metadata: params.applyMetadata({}),
    unitLabel: params.string("unit_label") ?? null,
  });
  if (engine.store.nameOf(product.id) !== undefined) throw invalidRequest(`Product already exists.`, "id", "resource_already_exists");
  engine.store.insert("product", product);
  engine.emit("product.created", product);
  const defaultPrice = params.object("default_price_data");
  if (defaultPrice !== undefined) {
    const price = createPrice(engine, defaultPrice, product.id);
    product.default_price = price.id;
  }
  return product;
}

function createPrice(engine: Engine, params: Params, productOverride?: string): Stripe.Price {
  const productId = productOverride ?? params.string("product");
  let product = productId;
  if (productId === undefined) {
    const productData = params.object("product_data");
    if (productData === undefined) throw missingParam("product");
    product = createProduct(engine, productData).id;
  } else {
    engine.store.require("product", productId, "product");
  }
  const unitAmount = params.integer("unit_amount", { min: 0 });
  const unitAmountDecimal = params.string("unit_amount_decimal");
  if (unitAmount !== undefined && unitAmountDecimal !== undefined)
    throw invalidRequest("You may only specify one of these parameters: unit_amount, unit_amount_decimal.", "unit_amount_decimal");
  if (unitAmountDecimal !== undefined && !isDecimalString(unitAmountDecimal))
    throw invalidRequest(`Invalid decimal: ${unitAmountDecimal}`, "unit_amount_decimal");
  if (unitAmount === undefined && unitAmountDecimal === undefined) throw missingParam("unit_amount");
  const recurring = params.object("recurring");
  const usageType = recurring?.oneOf("usage_type", ["licensed", "metered"] as const) ?? "licensed";
  const meter = recurring?.string("meter") ?? null;
  if (usageType === "metered" && meter === null) throw invalidRequest("Metered prices must be backed by a meter.", "recurring[meter]");
  if (meter !== null) engine.store.require("billing.meter", meter, "recurring[meter]");
  const price = buildPrice({
    id: engine.id("price"),
    created: engine.globalNow(),
    product: product as string,
    currency: params.requiredString("currency").toLowerCase(),
    unitAmountDecimal: unitAmountDecimal ?? String(unitAmount),
    active: params.boolean("active") ?? true,
    nickname: params.string("nickname") ?? null,
    lookupKey: params.string("lookup_key") ?? null,
    metadata: params.applyMetadata({}),
    recurring:
      recurring === undefined
        ? null
        : {
            interval: recurring.oneOf("interval", ["day", "week", "month", "year"] as const) ?? missing("recurring[interval]"),
            intervalCount: recurring.integer("interval_count", { min: 1, max: 365 }) ?? 1,
            usageType,
            meter,
            trialPeriodDays: recurring.integer("trial_period_days", { min: 0, max: 730 }) ?? null,
          },
  });
  engine.store.insert("price", price);
  engine.emit("price.created", price);
  return price;
}

function missing(param: string): never {
  throw missingParam(param);
}

function updatePrice(engine: Engine, price: Stripe.Price, params: Params): Stripe.Price {
  engine.track(price, "price.updated", () => {
    const active = params.boolean("active");
    if (active !== undefined) price.active = active;
    const nickname = params.nullableString("nickname");
    if (nickname !== undefined) price.nickname = nickname;
    const lookupKey = params.nullableString("lookup_key");
    if (lookupKey !== undefined) price.lookup_key = lookupKey;
    price.metadata = params.applyMetadata(price.metadata);
  });
  // Subscription items embed their price: keep those copies current.
  for (const subscription of engine.store.all("subscription")) {
    for (const item of subscription.items.data) {
      if (item.price.id !== price.id) continue;
      item.price = cloneDeep(price);
      item.plan = planFromPrice(price);
    }
  }
  return price;
}

export const catalogRoutes: Route[] = [
  route("POST", "/v1/products", ({ engine, params }) => createProduct(engine, params)),
  route("GET", "/v1/products/:id", (request) => request.engine.store.require("product", pathParam(request, "id"))),
  route("POST", "/v1/products/:id", (request) => {
    const { engine, params } = request;
    const product = engine.store.require("product", pathParam(request, "id"));
    engine.track(product, "product.updated", () => {
      const name = params.string("name");
      if (name !== undefined) product.name = name;
      const description = params.nullableString("description");
      if (description !== undefined) product.description = description;
      const active = params.boolean("active");
      if (active !== undefined) product.active = active;
      const defaultPrice = params.nullableString("default_price");
      if (defaultPrice !== undefined) product.default_price = defaultPrice;
      product.metadata = params.applyMetadata(product.metadata);
      product.updated = engine.globalNow();
    });
    return product;
  }),
  route("DELETE", "/v1/products/:id", (request) => {
    const product = request.engine.store.require("product", pathParam(request, "id"));
    if (request.engine.store.all("price").some((price) => price.product === product.id))
      throw invalidRequest("This product cannot be deleted because it has one or more user-created prices.", "id");
    request.engine.store.remove("product", product.id);
    request.engine.emit("product.deleted", product);
    return { id: product.id, object: "product", deleted: true };
  }),
  route("GET", "/v1/products", ({ engine, params }) => {
    const active = params.boolean("active");
    const created = createdFilter(params);
    const items = engine.store.all("product").filter((product) => (active === undefined || product.active === active) && created(product.created));
    return paginate(items, params, "/v1/products");
  }),
  route("POST", "/v1/prices", ({ engine, params }) => createPrice(engine, params)),
  route("GET", "/v1/prices/:id", (request) => request.engine.store.require("price", pathParam(request, "id"))),
  route("POST", "/v1/prices/:id", (request) =>
    updatePrice(request.engine, request.engine.store.require("price", pathParam(request, "id")), request.params),
  ),
  route("GET", "/v1/prices", ({ engine, params }) => {
    const active = params.boolean("active");
    const product = params.string("product");
    const type = params.oneOf("type", ["one_time", "recurring"] as const);
    const lookupKeys = params.stringArray("lookup_keys", 10);
    const items = engine.store
      .all("price")
      .filter(
        (price) =>
          (active === undefined || price.active === active) &&
          (product === undefined || price.product === product) &&
          (type === undefined || price.type === type) &&
          (lookupKeys === undefined || (price.lookup_key !== null && lookupKeys.includes(price.lookup_key))),
      );
    return paginate(items, params, "/v1/prices");
  }),
];

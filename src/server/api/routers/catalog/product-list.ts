import { listProducts } from "@/server/catalog/list-products";
import { authorizedProcedure } from "../../trpc";

export const productList = authorizedProcedure("catalog.read").query(({ ctx }) => listProducts(ctx.db));

import { env } from "@/env";
import { inngestEndpoint } from "~/inngest/serve-endpoint";

export const { GET, POST, PUT } = inngestEndpoint({
  signingKey: env.INNGEST_SIGNING_KEY,
  devServer: Boolean(process.env.INNGEST_DEV && process.env.INNGEST_DEV !== "0"),
});

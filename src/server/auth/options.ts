import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import type { Provider } from "next-auth/providers/index";
import { env } from "@/env";
import { sameOriginPath } from "@/lib/same-origin-path";
import { authSecret } from "./auth-secret";
import { getDb } from "@/db/client";
import { getUserByEmail } from "@/server/users/get-user";
import { getRequestContext } from "@/server/observability/request-context";
import { revokeSessions } from "@/server/users/session-version";
import { signInWithPassword } from "@/server/users/sign-in-with-password";
import { clientAddress } from "./client-address";

/** The sign-in error (next-auth's `error`) when an account or address has failed too often. */
export const tooManySignInAttempts = "too_many_attempts";

/** Demo/password sign-in is for development and tests; production needs TALLY_DEMO_LOGIN=true to allow it. */
export function passwordSignInEnabled(): boolean {
  return env.NODE_ENV !== "production" || env.TALLY_DEMO_LOGIN;
}

export function oidcConfigured(): boolean {
  return Boolean(env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET);
}

function providers(): Provider[] {
  const list: Provider[] = [];
  if (passwordSignInEnabled()) {
    list.push(
      CredentialsProvider({
        id: "credentials",
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, request) {
          if (!credentials?.email || !credentials.password) return null;
          const address = clientAddress({
            forwardedFor: request?.headers?.["x-forwarded-for"] as string | undefined,
            socketAddress: getRequestContext()?.remoteAddress,
            trustedProxyHops: env.TALLY_TRUSTED_PROXY_HOPS,
          });
          const result = await signInWithPassword(await getDb(), { email: credentials.email, password: credentials.password, address });
          if (result.ok) return { id: result.user.id, email: result.user.email, name: result.user.name, sessionVersion: result.user.sessionVersion };
          // next-auth hands a thrown message to the sign-in form as `error`.
          if (result.code === "too_many_attempts") throw new Error(tooManySignInAttempts);
          return null;
        },
      }),
    );
  }
  if (oidcConfigured()) {
    list.push({
      id: "oidc",
      name: "Single sign-on",
      type: "oauth",
      wellKnown: `${env.OIDC_ISSUER?.replace(/\/$/, "")}/.well-known/openid-configuration`,
      clientId: env.OIDC_CLIENT_ID,
      clientSecret: env.OIDC_CLIENT_SECRET,
      authorization: { params: { scope: "openid email profile" } },
      idToken: true,
      checks: ["pkce", "state"],
      profile(profile: { sub: string; email?: string; name?: string }) {
        return { id: profile.sub, email: profile.email ?? null, name: profile.name ?? profile.email ?? profile.sub };
      },
    });
  }
  return list;
}

// next-auth reads NEXTAUTH_URL itself; in development the local address is the right default.
if (env.NODE_ENV !== "production" && !process.env.NEXTAUTH_URL) {
  process.env.NEXTAUTH_URL = `http://localhost:${process.env.PORT ?? 3000}`;
}

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: 8 * 60 * 60 },
  secret: authSecret(),
  pages: { signIn: "/sign-in", error: "/sign-in" },
  providers: providers(),
  events: {
    /** Sign-out ends the session on the server too: every cookie issued to this user before now stops working. */
    async signOut({ token }) {
      if (token?.sub) await revokeSessions(await getDb(), token.sub);
    },
  },
  callbacks: {
    /** SSO users must already exist (an admin adds them with a role); no role, no access. */
    async signIn({ user, account }) {
      if (account?.provider !== "oidc") return true;
      if (!user.email) return false;
      const known = await getUserByEmail(await getDb(), user.email);
      return Boolean(known && !known.disabled);
    },
    async jwt({ token, user, account }) {
      if (user && account?.provider === "oidc" && user.email) {
        const known = await getUserByEmail(await getDb(), user.email);
        if (known) {
          token.sub = known.id;
          token.sessionVersion = known.sessionVersion;
        }
      } else if (user) {
        token.sessionVersion = (user as { sessionVersion?: number }).sessionVersion ?? 0;
      }
      return token;
    },
    /** next-auth's own redirects (sign-in, sign-out, SSO return) stay on this site, by the same rule as the sign-in page. */
    redirect({ url, baseUrl }) {
      const base = new URL(baseUrl);
      let path: string | null = url.startsWith("/") ? url : null;
      if (path === null && URL.canParse(url) && new URL(url).origin === base.origin) {
        const target = new URL(url);
        path = `${target.pathname}${target.search}${target.hash}`;
      }
      return `${base.origin}${sameOriginPath(path)}`;
    },
    session({ session, token }) {
      return { ...session, userId: token.sub, sessionVersion: typeof token.sessionVersion === "number" ? token.sessionVersion : undefined };
    },
  },
};

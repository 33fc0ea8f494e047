import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customers, type CustomerKind } from "@/db/schema";
import { seededRandom } from "@/server/seed/random";

const firstNames = [
  "Ada", "Linus", "Grace", "Ken", "Barbara", "Dennis", "Margaret", "Guido", "Radia", "Bjarne", "Frances", "Anders",
  "Hedy", "Yukihiro", "Sophie", "Rob", "Katherine", "James", "Lynn", "Brendan", "Joan", "Rasmus", "Mary", "Larry",
  "Evelyn", "Salvatore", "Priya", "Mateo", "Aiko", "Olusegun", "Ingrid", "Tomasz", "Leila", "Chen", "Fatima", "Diego",
  "Annika", "Kwame", "Noor", "Santiago", "Mei", "Arjun", "Zofia", "Emeka", "Hana", "Lucas", "Amara", "Viktor",
];
const lastNames = [
  "Lovelace", "Torvalds", "Hopper", "Thompson", "Liskov", "Ritchie", "Hamilton", "van Rossum", "Perlman", "Stroustrup",
  "Allen", "Hejlsberg", "Lamarr", "Matsumoto", "Wilson", "Pike", "Johnson", "Gosling", "Conway", "Eich", "Clarke",
  "Lerdorf", "Kenneth", "Wall", "Boyd", "Sanfilippo", "Raman", "García", "Tanaka", "Adeyemi", "Nilsson", "Kowalski",
  "Haddad", "Wei", "Zahra", "Fernández", "Berg", "Mensah", "Rahman", "Ortiz", "Lin", "Patel", "Nowak", "Okafor",
];
const teamWords = [
  ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Pied Piper", "Stark", "Wayne", "Tyrell", "Cyberdyne", "Aperture"],
  ["Labs", "Systems", "Robotics", "Analytics", "Cloud", "Data", "AI", "Software", "Networks", "Dynamics", "Works"],
] as const;
const teamPrefixes = ["Northwind", "Blue Harbor", "Quantum", "Redwood", "Silverline", "Brightpath", "Ironclad", "Lumen"];

export type DemoCustomer = { externalId: string; name: string; email: string; kind: CustomerKind };

/** 240 demo customers: mostly individual developers, about a quarter teams. Deterministic. */
export function demoCustomers(count = 240): DemoCustomer[] {
  const random = seededRandom(20261125);
  const result: DemoCustomer[] = [];
  const usedNames = new Set<string>();
  for (let index = 0; result.length < count && index < count * 20; index++) {
    const isTeam = random.chance(0.25);
    const name = isTeam
      ? `${random.chance(0.5) ? random.pick(teamPrefixes) : random.pick(teamWords[0])} ${random.pick(teamWords[1])}`
      : `${random.pick(firstNames)} ${random.pick(lastNames)}`;
    if (usedNames.has(name)) continue;
    usedNames.add(name);
    const slug = name
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/(^-|-$)/g, "");
    const sequence = String(result.length + 1).padStart(4, "0");
    result.push({
      externalId: isTeam ? `org_${sequence}_${slug}` : `usr_${sequence}_${slug}`,
      name,
      email: isTeam ? `billing@${slug}.example` : `${slug.replace(/-/g, ".")}@example.dev`,
      kind: isTeam ? "team" : "individual",
    });
  }
  return result;
}

/** Idempotent: customers are upserted by external id. */
export async function seedCustomers(db: Db, count = 240): Promise<number> {
  const rows = demoCustomers(count);
  for (let start = 0; start < rows.length; start += 500) {
    await db
      .insert(customers)
      .values(rows.slice(start, start + 500))
      .onConflictDoUpdate({
        target: customers.externalId,
        set: { name: sql`excluded.name`, email: sql`excluded.email`, kind: sql`excluded.kind` },
      });
  }
  return rows.length;
}

import { ratePeriod, type MeterPrice, type RatePeriodResult, type UsageQuantity } from "./rate-period";

export const simulatePlanLimits = { subjectsMax: 10_000 } as const;

/** What a plan version charges, as far as pricing is concerned. */
export type PlanPricing = {
  /** Base fee per seat per billing period, in micro-units. */
  baseFeePerSeatMicros: bigint;
  usagePrices: readonly MeterPrice[];
};

/** One customer's period: seats and rolled-up usage. */
export type SimulationSubject = { id: string; seats: number; usage: readonly UsageQuantity[] };

export type SimulatedCharge = { baseFeeMicros: bigint; usage: RatePeriodResult; totalMicros: bigint };

export type SimulatedSubject = {
  id: string;
  current: SimulatedCharge;
  proposed: SimulatedCharge;
  /** proposed − current: positive means the customer would pay more. */
  differenceMicros: bigint;
  meters: { meterKey: string; currentMicros: bigint; proposedMicros: bigint; differenceMicros: bigint }[];
};

export type SimulatePlanInput = { current: PlanPricing; proposed: PlanPricing; subjects: readonly SimulationSubject[] };

export type SimulatePlanResult = {
  subjects: SimulatedSubject[];
  currentMicros: bigint;
  proposedMicros: bigint;
  differenceMicros: bigint;
  /** Subjects that would pay more / less / the same. */
  counts: { increase: number; decrease: number; unchanged: number };
};

/**
 * Rates the same usage under two plan versions and reports the difference per subject
 * and in total, so product can preview a pricing change on real usage before publishing.
 */
export function simulatePlan(input: SimulatePlanInput): SimulatePlanResult {
  if (input.subjects.length > simulatePlanLimits.subjectsMax) {
    throw new RangeError(`At most ${simulatePlanLimits.subjectsMax} subjects per simulation; page through them.`);
  }
  const subjects = input.subjects.map((subject) => simulateSubject(input.current, input.proposed, subject));
  const currentMicros = subjects.reduce((sum, subject) => sum + subject.current.totalMicros, 0n);
  const proposedMicros = subjects.reduce((sum, subject) => sum + subject.proposed.totalMicros, 0n);
  return {
    subjects,
    currentMicros,
    proposedMicros,
    differenceMicros: proposedMicros - currentMicros,
    counts: {
      increase: subjects.filter((subject) => subject.differenceMicros > 0n).length,
      decrease: subjects.filter((subject) => subject.differenceMicros < 0n).length,
      unchanged: subjects.filter((subject) => subject.differenceMicros === 0n).length,
    },
  };
}

function simulateSubject(current: PlanPricing, proposed: PlanPricing, subject: SimulationSubject): SimulatedSubject {
  if (!Number.isSafeInteger(subject.seats) || subject.seats < 0) throw new RangeError(`seats must be a whole number ≥ 0 (subject ${subject.id}).`);
  const before = charge(current, subject);
  const after = charge(proposed, subject);
  const meterKeys = [...new Set([...before.usage.meters, ...after.usage.meters].map((meter) => meter.meterKey))].sort();
  const meterMicros = (result: RatePeriodResult, key: string) =>
    result.meters.find((meter) => meter.meterKey === key)?.amountMicros ?? 0n;
  return {
    id: subject.id,
    current: before,
    proposed: after,
    differenceMicros: after.totalMicros - before.totalMicros,
    meters: meterKeys.map((meterKey) => {
      const currentMicros = meterMicros(before.usage, meterKey);
      const proposedMicros = meterMicros(after.usage, meterKey);
      return { meterKey, currentMicros, proposedMicros, differenceMicros: proposedMicros - currentMicros };
    }),
  };
}

function charge(plan: PlanPricing, subject: SimulationSubject): SimulatedCharge {
  const baseFeeMicros = plan.baseFeePerSeatMicros * BigInt(subject.seats);
  const usage = ratePeriod({ prices: plan.usagePrices, usage: subject.usage });
  return { baseFeeMicros, usage, totalMicros: baseFeeMicros + usage.amountMicros };
}

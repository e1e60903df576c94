import { z } from 'zod';

/** One step of an automatic decision: which rule was looked at, and what it concluded. */
export const explanationStepSchema = z.object({
  rule: z.string(),
  outcome: z.enum(['matched', 'skipped', 'applied', 'fallback']),
  message: z.string(),
  subjectId: z.string().nullable(),
});
export type ExplanationStep = z.infer<typeof explanationStepSchema>;

export function step(rule: string, outcome: ExplanationStep['outcome'], message: string, subjectId: string | null = null): ExplanationStep {
  return { rule, outcome, message, subjectId };
}

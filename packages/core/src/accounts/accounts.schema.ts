import { z } from 'zod';
import { idPattern } from '../ids.js';
import { currencyCodeSchema } from '../money.js';
import { pageInputSchema, pageSchema } from '../pagination.js';
import { explanationStepSchema } from '../explanation.js';
import { clearableText, emailSchema, expectedVersionSchema, isoDateTime, optionalText, phoneSchema, searchSchema, text, urlSchema } from '../schema-helpers.js';

export const accountIdSchema = z.string().regex(idPattern('acc'), 'expected an account id (acc_…)');

/** Customer value grade (A high … D low), used by routing and pool policies. */
export const accountGradeSchema = z.enum(['A', 'B', 'C', 'D']);
export type AccountGrade = z.infer<typeof accountGradeSchema>;

export const accountSchema = z.object({
  id: accountIdSchema,
  name: z.string(),
  parentId: accountIdSchema.nullable(),
  grade: accountGradeSchema.nullable(),
  /** A branch that settles its own invoices is its own bill-to account. */
  settlesOwnInvoices: z.boolean(),
  taxId: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  website: z.string().nullable(),
  region: z.string().nullable(),
  currency: currencyCodeSchema.nullable(),
  version: z.number().int(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  archivedAt: isoDateTime.nullable(),
});
export type Account = z.infer<typeof accountSchema>;

const editable = {
  grade: accountGradeSchema,
  settlesOwnInvoices: z.boolean(),
  taxId: text(64),
  phone: phoneSchema,
  email: emailSchema,
  website: urlSchema,
  region: text(100),
  currency: currencyCodeSchema,
};

export const createAccountInputSchema = z.strictObject({
  name: text(200),
  parentId: accountIdSchema.optional(),
  grade: editable.grade.optional(),
  settlesOwnInvoices: editable.settlesOwnInvoices.optional(),
  taxId: optionalText(64),
  phone: editable.phone.optional(),
  email: editable.email.optional(),
  website: editable.website.optional(),
  region: optionalText(100),
  currency: editable.currency.optional(),
});
export type CreateAccountInput = z.input<typeof createAccountInputSchema>;

/** Fields to change; `null` clears an optional field. The parent changes through `setParent`. */
export const updateAccountInputSchema = z.strictObject({
  id: accountIdSchema,
  expectedVersion: expectedVersionSchema,
  name: text(200).optional(),
  grade: editable.grade.nullable().optional(),
  settlesOwnInvoices: editable.settlesOwnInvoices.optional(),
  taxId: clearableText(64),
  phone: editable.phone.nullable().optional(),
  email: editable.email.nullable().optional(),
  website: editable.website.nullable().optional(),
  region: clearableText(100),
  currency: editable.currency.nullable().optional(),
});
export type UpdateAccountInput = z.input<typeof updateAccountInputSchema>;

export const getAccountInputSchema = z.strictObject({ id: accountIdSchema });

/** The filters shared by `accounts.list` and `accounts.count`. */
const accountFilters = {
  /** Literal, case-insensitive match anywhere in the name (full- and half-width forms match alike). */
  search: searchSchema.optional(),
  /** Children of this account; `null` lists top-level accounts only. */
  parentId: accountIdSchema.nullable().optional(),
  grade: accountGradeSchema.optional(),
  archived: z.enum(['exclude', 'include', 'only']).default('exclude'),
};

export const listAccountsInputSchema = pageInputSchema.extend(accountFilters).strict().prefault({});
export type ListAccountsInput = z.input<typeof listAccountsInputSchema>;
export const accountPageSchema = pageSchema(accountSchema);

export const setParentInputSchema = z.strictObject({
  id: accountIdSchema,
  /** The new parent, or `null` to make the account top-level. */
  parentId: accountIdSchema.nullable(),
  /** Move it even when its branch's exposure would push a new ancestor's group credit limit over (audited, emits `credit.breached`). */
  force: z.boolean().optional(),
  expectedVersion: expectedVersionSchema,
});

export const archiveAccountInputSchema = z.strictObject({ id: accountIdSchema, expectedVersion: expectedVersionSchema });

export const accountTreeInputSchema = z.strictObject({
  id: accountIdSchema,
  /** Include archived accounts in the tree (default: no). */
  includeArchived: z.boolean().default(false),
});

export interface AccountTreeNode {
  account: Account;
  depth: number;
  billToAccountId: string;
  children: AccountTreeNode[];
}
export const accountTreeNodeSchema: z.ZodType<AccountTreeNode> = z.lazy(() =>
  z.object({ account: accountSchema, depth: z.number().int().min(1), billToAccountId: accountIdSchema, children: z.array(accountTreeNodeSchema) }),
);
/**
 * The group the account belongs to, from its top-level ancestor down. A caller who sees only part
 * of the tenant gets the visible part around the focus: rooted at the highest ancestor reached
 * through visible accounts (`ancestorIds` lists those), hidden accounts left out with their
 * branches; `depth` counts from that root.
 */
export const accountTreeSchema = z.object({ focusId: accountIdSchema, ancestorIds: z.array(accountIdSchema), root: accountTreeNodeSchema });
export type AccountTree = z.infer<typeof accountTreeSchema>;

export const orderPartiesInputSchema = z.strictObject({ orderingAccountId: accountIdSchema });
export const orderPartiesSchema = z.object({
  orderingAccountId: accountIdSchema,
  billToAccountId: accountIdSchema,
  shipToAccountId: accountIdSchema,
  explanation: z.array(explanationStepSchema),
});
export type OrderParties = z.infer<typeof orderPartiesSchema>;

/** The filters of `accounts.list` without paging: how many accounts the caller would page through. */
export const countAccountsInputSchema = z.strictObject(accountFilters).prefault({});
export type CountAccountsInput = z.input<typeof countAccountsInputSchema>;
/** How many accounts the caller may see match the filters. */
export const accountCountSchema = z.object({ count: z.number().int().min(0) });
export type AccountCount = z.infer<typeof accountCountSchema>;

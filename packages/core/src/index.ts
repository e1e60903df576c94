export { CrmError, crmErrorCodes, isCrmError, isCrmErrorCode } from './errors.js';
export type { CrmErrorCode, CrmErrorOptions, CrmTrpcCode, FieldErrors } from './errors.js';
export { systemClock, createFakeClock, MINUTE_MS, HOUR_MS, DAY_MS } from './clock.js';
export type { Clock, FakeClock } from './clock.js';
export { newId, idPattern, idPrefixes } from './ids.js';
export type { IdPrefix } from './ids.js';
export {
  money, addMoney, subtractMoney, parseMoney, formatMoney, moneyText, allocateByBasisPoints, minorUnitExponent,
  moneySchema, currencyCodeSchema, minorUnitsSchema, basisPointsSchema, FULL_SHARE_BPS,
} from './money.js';
export type { Money, CurrencyCode } from './money.js';
export { pageInputSchema, pageSchema, encodeCursor, decodeCursor, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './pagination.js';
export type { Page, PageInput } from './pagination.js';
export { roleSchema, permissionSchema, rolePermissions, can } from './roles.js';
export type { Role, Permission } from './roles.js';
export { explanationStepSchema, step } from './explanation.js';
export type { ExplanationStep } from './explanation.js';
export { emailSchema, phoneSchema, urlSchema, isoDateTime, MIN_INSTANT, MAX_INSTANT, storableString, searchSchema } from './schema-helpers.js';
export * from './accounts/accounts.schema.js';
export { assertValidParentChange, orderPartyDefaults, buildTree, MAX_HIERARCHY_DEPTH } from './accounts/hierarchy.rules.js';
export type { ParentChange, SettlingNode, OrderPartyDefaults } from './accounts/hierarchy.rules.js';
export { searchKey } from './accounts/name-search.js';
export * from './contacts/contacts.schema.js';
export * from './users/users.schema.js';
export * from './api-keys/api-keys.schema.js';
export * from './audit/audit.schema.js';
export * from './ownership/ownership.schema.js';
export { inForce, inForceAt, overlaps } from './ownership/periods.js';
export type { Period } from './ownership/periods.js';
export { resolveResponsible, followDelegations } from './ownership/resolve.rules.js';
export type { RoutingFacts, RoutingPurpose, Resolution, DelegationFact, DelegationScope, AwayFact } from './ownership/resolve.rules.js';
export { assertValidDelegation } from './ownership/delegation.rules.js';
export { visibilityScope, heldScope, canSee } from './ownership/visibility.rules.js';
export type { VisibilityScope, VisibilityFacts, HoldingFacts, OwnedAccount } from './ownership/visibility.rules.js';
export { managementReach, managementScope, managesTeam, managesUser, seesDelegation } from './ownership/management.rules.js';
export type { ManagementScope, ManagementReach, ManagementActor, ManagementFacts } from './ownership/management.rules.js';
export {
  policyFor, noFollowUpRule, poolReturnDecision, poolCandidateBound, matchesCandidateBound, assertCanClaim, tenureStartAfter, POOL_LOSS_CAUSES, POOL_TAKING_CAUSES,
} from './pool/pool.rules.js';
export type { PoolPolicy, PoolCandidate, PoolReturnRule, PoolExclusion, PoolReturnDecision, PoolDue, CandidateBound, ClaimFacts, OwnershipState } from './pool/pool.rules.js';
export { timeZoneSchema, localDateSchema, localDateOf, daysBetween, addDays, startOfLocalDay, startOfNextLocalDay } from './calendar.js';
export type { LocalDate } from './calendar.js';
export * from './tenants/settings.schema.js';
export * from './orders/orders.schema.js';
export {
  lineAmount, orderTotal, uninvoicedOf, orderOpenMinor, statusFromLines, nextOrderStatus, assertOrderAllows, assertAmendable, assertRemovable, appliedToOrderLine,
} from './orders/orders.rules.js';
export type { LineFigures, OrderAction, ExposureBasis } from './orders/orders.rules.js';
export * from './invoices/invoices.schema.js';
export { invoiceTotal, assertCreditable, assertAllocatable, assertWithinPayment } from './invoices/invoices.rules.js';
export type { AllocationFacts } from './invoices/invoices.rules.js';
export * from './exposure/exposure.schema.js';
export { exposureOf, mergeDeltas, addInto, groupFigures, zeroFigures } from './exposure/exposure.rules.js';
export type { ExposureFigures, ExposureDelta, FigureTable } from './exposure/exposure.rules.js';
export { AGEING_BUCKETS, daysPastDue, ageingBucket, ageReceivables } from './receivables/ageing.rules.js';
export type { AgeingBucket } from './receivables/ageing.rules.js';
export * from './credit/credit.schema.js';
export * from './credit/credit-api.schema.js';
export { checkCredit, availableOf, creditOutcome, approvalExpiresAt } from './credit/credit.rules.js';
export type { CreditAction, CreditHold, PathNode, AccountExposureFacts, OverdueInvoiceFact, CreditStatusFacts, CreditCheckFacts } from './credit/credit.rules.js';
export { exchangeRateSchema, parseRate, invertRate, convertMinor, rateFor } from './credit/fx.rules.js';
export type { Rate, ExchangeRateFact, RateInForce } from './credit/fx.rules.js';

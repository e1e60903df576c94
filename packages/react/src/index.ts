export { CrmProvider, useCrmClient, createCrmQueryClient, crmQueryRetry } from './provider.js';
export type { CrmProviderProps, CrmProviderClientOptions } from './provider.js';
export { crmKeys } from './keys.js';
export type {
  AccountsFilter,
  AccountTreeOptions,
  AccountDetailKey,
  AccountListKey,
  AccountTreeKey,
  ResolveInput,
  PoolFilter,
  DelegationsFilter,
  TeamOptions,
  ResolveKey,
  OwnershipHistoryKey,
  TeamDetailKey,
  PoolListKey,
  DelegationListKey,
  OrdersFilter,
  ReceivablesOptions,
  OrderDetailKey,
  OrderListKey,
  ExposureKey,
  ReceivablesKey,
} from './keys.js';
export { useAccount, useAccounts, useAccountTree, useCreateAccount, useUpdateAccount, useSetAccountParent, useArchiveAccount } from './accounts.js';
export type {
  AccountPage,
  AccountPageParam,
  SetAccountParentInput,
  ArchiveAccountInput,
  CrmQueryOptions,
  CrmMutationOptions,
  UseAccountsResult,
  UseAccountsOptions,
} from './accounts.js';
export {
  useResponsible,
  useOwnershipHistory,
  useTeam,
  usePool,
  useDelegations,
  useClaimAccount,
  useReleaseAccount,
  useAssignFromPool,
  useAssignOwnership,
} from './ownership.js';
export type {
  Resolution,
  OwnershipHistory,
  PoolPage,
  PoolPageParam,
  DelegationPage,
  UseResponsibleInput,
  UsePoolResult,
  UsePoolOptions,
  AssignOwnershipInput,
  ClaimAccountInput,
  ReleaseAccountInput,
  AssignFromPoolInput,
} from './ownership.js';
export { useOrder, useOrders, useConfirmOrder, useAccountExposure, useReceivables } from './orders.js';
export type { AccountReceivables, OrderPage, OrderPageParam, UseOrdersResult, UseOrdersOptions, ConfirmOrderInput } from './orders.js';
export { AccountCard } from './account-card.js';
export type { AccountCardProps, AccountCardState } from './account-card.js';
export { OwnershipPanel } from './ownership-panel.js';
export type { OwnershipPanelProps, OwnershipPanelState, CurrentOwners } from './ownership-panel.js';
export { Receivables, receivablesBucketLabels } from './receivables.js';
export type { ReceivablesProps, ReceivablesState, ReceivablesCurrencyTable, ReceivablesBucketRow, ReceivablesInvoiceRow } from './receivables.js';
export { useCreditStatus, useCreditApprovals, useApproveCredit, useRejectCredit, creditKeys } from './credit.js';
export type {
  CreditApprovalsFilter,
  CreditApprovalPage,
  CreditApprovalPageParam,
  CreditStatusKey,
  CreditApprovalsKey,
  UseCreditApprovalsResult,
  UseCreditApprovalsOptions,
  ApproveCreditInput,
  RejectCreditInput,
} from './credit.js';
export { CreditStatus, hiddenAccountLabel } from './credit-status.js';
export type { CreditStatusProps, CreditStatusState, CreditLimitRow, CreditHoldRow, CreditPendingApprovalRow, CreditDecisionIssue, CreditIssueKind } from './credit-status.js';
export { CrmError, isCrmError } from '@crmkit/core';
export type { Account, AccountTree, AccountTreeNode, AccountGrade, CreateAccountInput, UpdateAccountInput, ListAccountsInput, CrmErrorCode, FieldErrors } from '@crmkit/core';
export type { Team, OwnershipPeriod, Delegation, ExplanationStep, RoutingPurpose } from '@crmkit/core';
export type { Order, OrderLine, OrderSummary, OrderStatus, AccountExposure, ExposureParts, AgeingBucket, CurrencyCode } from '@crmkit/core';
export type { AccountCreditStatus, CreditApproval, CreditApprovalStatus, CreditDecisionRecord, CreditLimitStatus, CreditScope, CreditHoldFinding, MissingRate } from '@crmkit/core';
export type { CrmClient } from '@crmkit/client';

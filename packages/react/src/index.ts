export { CrmProvider, useCrmClient, createCrmQueryClient, crmQueryRetry } from './provider.js';
export type { CrmProviderProps, CrmProviderClientOptions } from './provider.js';
export { crmKeys } from './keys.js';
export type { AccountsFilter, AccountTreeOptions, AccountDetailKey, AccountListKey, AccountTreeKey } from './keys.js';
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
export { AccountCard } from './account-card.js';
export type { AccountCardProps, AccountCardState } from './account-card.js';
export { CrmError, isCrmError } from '@crmkit/core';
export type { Account, AccountTree, AccountTreeNode, AccountGrade, CreateAccountInput, UpdateAccountInput, ListAccountsInput, CrmErrorCode, FieldErrors } from '@crmkit/core';
export type { CrmClient } from '@crmkit/client';

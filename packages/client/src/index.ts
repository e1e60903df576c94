export { createCrmClient } from './client.js';
export type { CrmClient, CrmClientOptions } from './client.js';
export { toClientError } from './errors.js';
export { crmRetryLink, isRetryable } from './retry.js';
export type { RetryOptions } from './retry.js';
export { CrmError, isCrmError, crmErrorCodes } from '@crmkit/core';
export type { CrmErrorCode, FieldErrors } from '@crmkit/core';
export type { AppRouter, RouterInputs, RouterOutputs } from '@crmkit/server';

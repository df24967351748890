// The subscriptions domain: state per address, consent events, the send-time policy, the operator
// API and bulk import/export. Built by the composition root (src/app.ts); other folders import
// only from this file.
export * from './types.ts';
export type { SubscriptionStore, ApplyOptions } from './subscription-store.ts';
export { MongoSubscriptionStore, type ConsentEventView, type ApplyItem, type ApplyItemResult } from './mongo-subscription-store.ts';
export { SubscriptionCatalog, CatalogError, type SubscriptionType } from './catalog.ts';
export { decide, SUPPRESS_REASONS, type Decision, type DecisionRule, type SuppressReason, type PolicyInput } from './policy.ts';
export { assertLegalBasis, liftsOptOut } from './legal-basis.ts';
export { toAddressView, type AddressView } from './address-view.ts';
export { typeStateOf } from './state-change.ts';
export { stateSnapshot } from './subscription-events.ts';
export { operatorRoutes } from './operator-routes.ts';
export {
  importRoutes,
  IMPORT_PATH,
  DEFAULT_IMPORT_MAX_BYTES,
  ImportProcessor,
  importJobModel,
  importChunkModel,
  importJobProcessor,
  importJobOptions,
  watchImportWorker,
  IMPORT_ATTEMPTS,
  type ImportJobPayload,
} from './import/index.ts';
export { SuppressionList, type SuppressionEntry, type SuppressionPage, type SuppressionQuery } from './suppression-list.ts';
export { liftSuppression, type LiftRequest } from './lift-suppression.ts';
export { changeAddress, type OperatorChange } from './change-address.ts';
export { suppressionRoutes } from './suppression-routes.ts';
export { NO_ERASED_ADDRESSES, type ErasedAddresses, type Erasure, type ErasureSuppression } from './erased-addresses.ts';
export { erasureEffect, subscribes, FRESH_START_SOURCES } from './erasure-rule.ts';
export { ErasureRestrictions } from './erasure-restrictions.ts';
export { outranks, replaceableBy, suppressAddress } from './suppress-address.ts';
export type { AddressEraser } from './address-eraser.ts';
export { subscriptionApiDoc } from './subscription-api-doc.ts';
export { addressViewSchema } from './address-view.ts';
export { consentEventViewSchema } from './consent-history.ts';
export { consentEventOf } from './consent-event.model.ts';
export { suppressionEntrySchema, suppressionPageSchema } from './suppression-list.ts';
export { subscriptionTypeViewSchema, type SubscriptionTypeView } from './catalog.ts';
export { importJobViewSchema, type ImportJobView } from './import/index.ts';

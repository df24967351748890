// The privacy domain (docs/rules.md §10): what mailgate holds about a person, on request — the access
// export and the erasure (with the erasure records the subscriptions domain reads through its
// ErasedAddresses interface). Built by the composition root (src/app.ts); other folders import
// only from this file.
export { exportAddress, addressExportSchema, EXPORT_MAX_MESSAGES, type AddressExport, type ExportDeps } from './export-address.ts';
export { eraseAddress, ERASED_SNAPSHOT, type EraseDeps, type ErasureReceipt } from './erase-address.ts';
export { ErasedAddressRepository } from './erased-address-repository.ts';
export { migrateErasureKeys, type MigrationReport } from './migrate-erasure-keys.ts';
export { privacyRoutes, type PrivacyDeps } from './privacy-routes.ts';
export { privacyApiDoc } from './privacy-api-doc.ts';

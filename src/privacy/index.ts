// The privacy domain (PRODUCT.md §10): what mailgate holds about a person, on request.
// Built by the composition root (src/app.ts); other folders import only from this file.
export { exportAddress, addressExportSchema, EXPORT_MAX_MESSAGES, type AddressExport, type ExportDeps } from './export-address.ts';
export { privacyRoutes } from './privacy-routes.ts';
export { privacyApiDoc } from './privacy-api-doc.ts';

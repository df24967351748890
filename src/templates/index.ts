// The templates domain: MJML compiled once, footer and list headers injected, rendering per
// message, the templates API. Built by the composition root (src/app.ts); other folders import
// only from this file.
export type { TemplateRenderer, RenderInput, RenderedMessage, TemplateInfo, Locale } from './types.ts';
export { LOCALES } from './types.ts';
export { TemplateLoadError, loadTemplates, loadTemplatesOrThrow, type LoadTemplatesDeps } from './load-templates.ts';
export { TemplateRegistry, PREVIEW_ADDRESS } from './template-registry.ts';
export type { TemplateProblem } from './template-loader.ts';
export { createTemplatesRouter } from './templates-router.ts';
export { templatesApiDoc } from './templates-api-doc.ts';
export { templateInfoSchema } from './types.ts';
export { describeMissing, missingFields, requiredFieldsOf, requiredFieldsOfProgram, templateRequiredFields } from './required-fields.ts';
export { StoredTemplateRepository } from './stored-template-repository.ts';
export { StoredTemplateCompiler } from './stored-template-compiler.ts';
export { TemplateVersionsCache } from './template-versions-cache.ts';
export { AllTemplates } from './template-renderer.ts';
export { TemplateAuthoringService } from './template-authoring-service.ts';
export { createAuthoringRouter } from './authoring-routes.ts';
export { authoringApiDoc } from './authoring-api-doc.ts';
export { readFileTemplateSource } from './file-template-source.ts';
export { templateSourceSchema, MAX_SOURCE_BYTES } from './template-source.ts';

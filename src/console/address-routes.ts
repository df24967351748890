import { Router, type Request, type Response } from 'express';
import { normalizeAddress, tryNormalizeAddress } from '../addresses/index.ts';
import { AppError } from '../shared/errors.ts';
import { LEGAL_BASES, changeAddress, liftSuppression, toAddressView, type LegalBasis } from '../subscriptions/index.ts';
import { localeOf, operatorOf, requireCsrf, requireSection, viewerOf } from './console-auth.ts';
import type { ConsoleDeps } from './console-deps.ts';
import { CONSOLE_TEXTS } from './console-texts.ts';
import { addressPath, renderAddressPage, renderSearchPage } from './pages/address-page.ts';

const RECENT_MESSAGES = 20;
const DONE = new Set(['unsubscribed', 'opted_out', 'resubscribed', 'lifted', 'unchanged']);

const str = (body: unknown, name: string): string | undefined => {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : undefined;
};
const list = (body: unknown, name: string): string[] => {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && v !== '');
};
const legalBasisOf = (body: unknown): LegalBasis | undefined => {
  const value = str(body, 'legalBasis');
  return (LEGAL_BASES as readonly string[]).includes(value ?? '') ? (value as LegalBasis) : undefined;
};

/** A refusal the operator can fix on the same page (422 of the use cases, e.g. `legal_basis_required`; an erased address). */
const isRefusal = (err: unknown): err is AppError => err instanceof AppError && (err.status === 422 || err.code === 'not_suppressed' || err.code === 'address_erased');

/**
 * Find an address, show it, and change it — only through the subscriptions use cases
 * (`changeAddress`, `liftSuppression`) with the operator's email as actor.
 */
export function addressRoutes(deps: ConsoleDeps): Router {
  const router = Router();
  router.use('/addresses', requireSection('addresses'));

  const show = async (req: Request, res: Response, address: string, extra: { status?: number; done?: string; error?: string } = {}) => {
    const [state, history, messages] = await Promise.all([deps.store.get(address), deps.store.history(address), deps.messages.recentFor(address, RECENT_MESSAGES)]);
    const data = { view: toAddressView(state, deps.catalog), known: state.version > 0, types: deps.catalog.types, history, messages };
    res
      .status(extra.status ?? 200)
      .type('html')
      .send(renderAddressPage({ locale: localeOf(res), viewer: viewerOf(deps.csrf, req, res), data, ...(extra.done ? { done: extra.done } : {}), ...(extra.error ? { error: extra.error } : {}) }));
  };

  /** Runs one change; success → back to the page (303, PRG); a fixable refusal → the page again with the use case's message (422). */
  const change = (run: (address: string, req: Request, res: Response) => Promise<string>) => async (req: Request, res: Response) => {
    const address = normalizeAddress(req.params.address);
    try {
      const done = await run(address, req, res);
      res.redirect(303, str(req.body, 'back') === 'suppressions' ? `/console/suppressions?done=${done}` : `${addressPath(address)}?done=${done}`);
    } catch (err) {
      if (!isRefusal(err)) throw err;
      await show(req, res, address, { status: err.code === 'address_erased' ? 409 : 422, error: err.message });
    }
  };

  router.get('/addresses', async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 320) : '';
    const viewer = viewerOf(deps.csrf, req, res);
    if (q.trim() === '') return res.type('html').send(renderSearchPage({ locale: localeOf(res), viewer, q }));
    const normalized = tryNormalizeAddress(q);
    if (!normalized.ok) return res.status(400).type('html').send(renderSearchPage({ locale: localeOf(res), viewer, q, invalid: true }));
    const state = await deps.store.get(normalized.address);
    res.type('html').send(renderSearchPage({ locale: localeOf(res), viewer, q, match: { address: normalized.address, known: state.version > 0 } }));
  });

  router.get('/addresses/:address', async (req, res) => {
    const done = typeof req.query.done === 'string' && DONE.has(req.query.done) ? req.query.done : undefined;
    await show(req, res, normalizeAddress(req.params.address), done ? { done } : {});
  });

  router.post(
    '/addresses/:address/unsubscribe',
    requireCsrf(deps.csrf),
    change(async (address, req, res) => {
      const type = str(req.body, 'type') ?? '';
      await changeAddress(deps, address, { subscriptions: { [type]: 'unsubscribed' }, actor: operatorOf(res).email });
      return 'unsubscribed';
    }),
  );

  router.post(
    '/addresses/:address/opt-out',
    requireCsrf(deps.csrf),
    change(async (address, _req, res) => {
      await changeAddress(deps, address, { optedOutOfAll: true, actor: operatorOf(res).email });
      return 'opted_out';
    }),
  );

  router.post(
    '/addresses/:address/resubscribe',
    requireCsrf(deps.csrf),
    change(async (address, req, res) => {
      const types = list(req.body, 'types');
      const clearOptOut = str(req.body, 'clearOptOut') === '1';
      if (types.length === 0 && !clearOptOut) throw new AppError('nothing_chosen', CONSOLE_TEXTS[localeOf(res)].chooseSomething, { status: 422 });
      const legalBasis = legalBasisOf(req.body);
      const explanation = str(req.body, 'explanation');
      await changeAddress(deps, address, {
        ...(clearOptOut ? { optedOutOfAll: false } : {}),
        ...(types.length > 0 ? { subscriptions: Object.fromEntries(types.map((type) => [type, 'subscribed' as const])) } : {}),
        ...(legalBasis ? { legalBasis } : {}),
        ...(explanation !== undefined ? { legalBasisExplanation: explanation } : {}),
        actor: operatorOf(res).email,
      });
      return 'resubscribed';
    }),
  );

  router.post(
    '/addresses/:address/lift-suppression',
    requireCsrf(deps.csrf),
    change(async (address, req, res) => {
      const legalBasis = legalBasisOf(req.body);
      await liftSuppression(deps.store, address, { explanation: str(req.body, 'explanation') ?? '', actor: operatorOf(res).email, ...(legalBasis ? { legalBasis } : {}) });
      return 'lifted';
    }),
  );

  return router;
}

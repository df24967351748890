import { Router } from 'express';
import { normalizeAddress } from '../addresses/index.ts';
import { eraseAddress, type EraseDeps } from './erase-address.ts';
import { exportAddress, type ExportDeps } from './export-address.ts';

export type PrivacyDeps = ExportDeps & EraseDeps;

/**
 * Under /v1: `GET /addresses/:address/export`, the person's access export (one JSON document), and
 * `DELETE /addresses/:address`, their erasure, answered with the receipt `{erasedAt}`.
 */
export function privacyRoutes(deps: PrivacyDeps): Router {
  const router = Router();
  router.get('/addresses/:address/export', async (req, res) => {
    const address = normalizeAddress(req.params.address);
    res.attachment(`mailgate-export-${address}.json`).json(await exportAddress(deps, address));
  });
  router.delete('/addresses/:address', async (req, res) => {
    const address = normalizeAddress(req.params.address);
    const receipt = await eraseAddress(deps, address);
    res.status(200).json({ erasedAt: receipt.erasedAt.toISOString() });
  });
  return router;
}

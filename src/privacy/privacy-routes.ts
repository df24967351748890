import { Router } from 'express';
import { normalizeAddress } from '../addresses/index.ts';
import { exportAddress, type ExportDeps } from './export-address.ts';

/** `GET /v1/addresses/:address/export`: the person's access export, one JSON document (under /v1). */
export function privacyRoutes(deps: ExportDeps): Router {
  const router = Router();
  router.get('/addresses/:address/export', async (req, res) => {
    const address = normalizeAddress(req.params.address);
    res.attachment(`mailgate-export-${address}.json`).json(await exportAddress(deps, address));
  });
  return router;
}

import type { Express } from 'express';

/** What the walk reads of express 5's router (the `router` package, 2.x): layers, their routes and mounts. */
interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean | undefined> };
  handle?: { stack?: Layer[] };
  /** The path a layer was mounted at (`app.use('/v1', router)`); `slash` when it is `/`. */
  rawPath?: unknown;
  slash?: boolean;
}

export interface ServedRoute {
  method: string;
  /** In OpenAPI form: `/v1/addresses/{address}`. */
  path: string;
}

/** Every (method, path) an express app serves, found by walking its routers (nested ones too). */
export function servedRoutes(app: Express): ServedRoute[] {
  const root = (app as unknown as { router: { stack: Layer[] } }).router;
  const found: ServedRoute[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const path of paths) {
          for (const [method, on] of Object.entries(layer.route.methods)) {
            if (on && method !== '_all') found.push({ method, path: toOpenApiPath(prefix + path) });
          }
        }
      } else if (layer.handle?.stack) {
        if (!layer.slash && typeof layer.rawPath !== 'string') throw new Error(`a router mounted at ${String(layer.rawPath)}: the walk only knows string mount paths`);
        walk(layer.handle.stack, prefix + (layer.slash ? '' : (layer.rawPath as string)));
      }
    }
  };
  walk(root.stack, '');
  return found;
}

/** `/v1/addresses/:address` → `/v1/addresses/{address}`. */
export const toOpenApiPath = (path: string): string => path.replace(/:(\w+)/g, '{$1}');

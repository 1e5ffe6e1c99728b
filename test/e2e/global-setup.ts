// Builds the renderer once before the e2e files run (browser mode would otherwise build it in its first start).
import { ensureRendererBuilt } from '../../electron/server/build.ts';

export default async function setup(): Promise<void> {
  const r = await ensureRendererBuilt((line) => console.log(line));
  if (r.built) console.log(`renderer built in ${(r.ms / 1000).toFixed(1)} s`);
}

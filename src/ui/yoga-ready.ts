// Ink's layout engine loads its wasm asynchronously in the CommonJS bundle (build.mjs turns its top-level
// await into an exported `ready` promise); the first render must wait for it. Unbundled, there is nothing to wait for.
import * as yoga from 'yoga-layout';

export async function yogaReady(): Promise<void> {
  const ready = (yoga as unknown as { ready?: Promise<void> }).ready;
  if (ready) await ready;
}

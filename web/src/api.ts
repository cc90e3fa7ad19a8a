// The requests the UI makes, with the JSON bodies of src/api/types.ts. The page's cookie carries
// the token; a refused request's message goes to whoever listens (the error toast).

import type { EnableRequest, TriggerModeRequest, TriggerRequest } from '../../src/api/types.js';

/** Tilt's build reason for a trigger from the web UI. */
const BUILD_REASON_WEB_TRIGGER = 16;

type ErrorListener = (message: string) => void;
const errorListeners = new Set<ErrorListener>();

export function onApiError(listener: ErrorListener): () => void {
  errorListeners.add(listener);
  return () => errorListeners.delete(listener);
}

async function post(path: string, body: unknown): Promise<void> {
  let message: string | undefined;
  try {
    const res = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(body),
    });
    if (res.ok) return;
    const text = await res.text();
    try {
      message = (JSON.parse(text) as { error?: string }).error;
    } catch {
      message = text.trim();
    }
    message = `${path}: ${message || `HTTP ${res.status}`}`;
  } catch (e) {
    message = `${path}: ${(e as Error).message}`;
  }
  for (const l of [...errorListeners]) l(message);
  throw new Error(message);
}

export function triggerUpdate(name: string): Promise<void> {
  const body: TriggerRequest = { manifest_names: [name], build_reason: BUILD_REASON_WEB_TRIGGER };
  return post('/api/trigger', body);
}

export function setTriggerMode(name: string, mode: 'auto' | 'manual'): Promise<void> {
  const body: TriggerModeRequest = {
    manifest_names: [name],
    trigger_mode: mode === 'auto' ? 0 : 1,
  };
  return post('/api/override/trigger_mode', body);
}

export function setEnabled(name: string, enable: boolean): Promise<void> {
  const body: EnableRequest = { manifest_names: [name], enable };
  return post('/api/enable', body);
}

/** Loads the page again in the background: the server sets a fresh token cookie with it. */
export async function renewToken(): Promise<void> {
  await fetch('/', { credentials: 'same-origin', cache: 'no-store' });
}

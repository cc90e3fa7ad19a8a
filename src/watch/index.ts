// File watching for tilt's engine; see watcher.ts.

export {
  FileWatcher,
  type FileWatcherOptions,
  type SubKind,
  type SubscriptionInfo,
  type WatchBatch,
  type WatchCallback,
  type WatchHandle,
  type WatchSpec,
} from './watcher.js';
export { WatchError, watchErrorFor } from './errors.js';
export {
  dockerBuildIgnores,
  isBuiltinIgnored,
  isEditorTempName,
  readTiltignore,
  type IgnoreSpec,
} from './ignore.js';

// Port-forwards: local listeners piped into the current pod of a resource.

export { PortForward } from './forward.js';
export type { PortForwardLogLevel, PortForwardOptions, PortForwardStatus } from './forward.js';
export { PortForwardError, formatAddress, listenErrorFor } from './errors.js';
export type { PortForwardErrorCode } from './errors.js';
export { splice } from './splice.js';

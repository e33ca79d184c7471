// Every message the agent sends the host, and what its RPCs return, declared once. The host reads
// them in monitor/capture/messages.py; tests/capture/test_messages.py checks that both sides name
// the same message types and hook-event fields.

export interface InstallResult {
  id: string;
  state: "installed" | "not_installed";
  overloads: number;
  reason?: string;
}

// What installNet() reports per native hook (connect redirect, UDP, name lookups).
export interface NetResult {
  id: string;
  state: "installed" | "not_installed";
  reason?: string;
}

export interface UnpinResult {
  id: string;
  state: "installed" | "not_installed";
  reason?: string;
}

// One hooked call. `sensitive` is the catalogue's word on this API (or content authority).
export interface HookEvent {
  seq: number;
  ts_ms: number;
  entry: string;
  api: string;
  pi_category: string | null;
  pi_type: string | null;
  sensitive: boolean;
  signal: string | null;
  args: unknown[];
  ret: unknown;
  stack: string[];
  thread: string | null;
  self?: unknown;
}

export interface HookEventsMessage {
  type: "hook:events";
  events: HookEvent[];
}

export interface AgentErrorMessage {
  type: "agent:error";
  entry: string;
  error: string;
  stack?: string | null;
}

export interface LateInstallMessage {
  type: "hooks:late-install";
  result: InstallResult;
}

export interface UnpinBypassedMessage {
  type: "unpin:bypassed";
  id: string;
}

// TLS plaintext (tls.ts): a native TLS handshake starts on a redirected connection (the host
// answers "net:tls-native-ack" once the proxy will pass it through), what was written or read
// (the bytes travel as the message's binary data, cut at the cap; `size` is the whole), its end,
// and each TLS library hooked as it loads.
export interface TlsNativeMessage {
  type: "net:tls-native";
  local_port: number;
  library: string;
}

export interface TlsDataMessage {
  type: "net:tls-data";
  local_port: number;
  outgoing: boolean;
  size: number;
  ts_ms: number;
}

export interface TlsEndMessage {
  type: "net:tls-end";
  local_port: number;
}

export interface TlsLibraryMessage {
  type: "net:tls-library";
  result: NetResult;
}

export type AgentMessage =
  | HookEventsMessage
  | AgentErrorMessage
  | LateInstallMessage
  | UnpinBypassedMessage
  | TlsNativeMessage
  | TlsDataMessage
  | TlsEndMessage
  | TlsLibraryMessage;

export function post(message: AgentMessage, data?: ArrayBuffer | null): void {
  send(message, data);
}

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

export type AgentMessage = HookEventsMessage | AgentErrorMessage | LateInstallMessage | UnpinBypassedMessage;

export function post(message: AgentMessage): void {
  send(message);
}

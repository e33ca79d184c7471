import { HookEvent, post } from "./messages";

// Hook events leave the agent in batches ("hook:events"), never one message per call.
const FLUSH_INTERVAL_MS = 50;
const MAX_BATCH = 500;

let buffer: HookEvent[] = [];
let timer: any = null;
let seq = 0;

export function nextSeq(): number {
  seq += 1;
  return seq;
}

export function flush(): number {
  if (timer !== null) {
    clearTimeout(timer);
    timer = null;
  }
  const n = buffer.length;
  if (n > 0) {
    const events = buffer;
    buffer = [];
    post({ type: "hook:events", events });
  }
  return n;
}

export function enqueue(event: HookEvent): void {
  buffer.push(event);
  if (buffer.length >= MAX_BATCH) {
    flush();
  } else if (timer === null) {
    timer = setTimeout(flush, FLUSH_INTERVAL_MS);
  }
}

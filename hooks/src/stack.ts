import Java from "frida-java-bridge";

let ThrowableClass: any = null;

// The full Java stack of the current call, hooked method first. Frames of the capture itself
// (Throwable construction) are dropped.
export function javaStack(): string[] {
  if (ThrowableClass === null) ThrowableClass = Java.use("java.lang.Throwable");
  const elements = ThrowableClass.$new().getStackTrace();
  const frames: string[] = [];
  for (let i = 0; i < elements.length; i++) {
    frames.push(elements[i].toString());
  }
  return frames;
}

export function threadName(): string | null {
  try {
    return Java.use("java.lang.Thread").currentThread().getName();
  } catch (e) {
    return null;
  }
}

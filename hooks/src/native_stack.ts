import Java from "frida-java-bridge";
import { javaStack, threadName } from "./stack";

// Stacks and thread names for native hooks (net.ts, sidechannel.ts): the Java stack where the call
// came through Java, else the native backtrace.

export function stackHere(context?: CpuContext): string[] {
  try {
    if (Java.available && Java.vm.tryGetEnv() !== null) {
      let frames: string[] = [];
      Java.performNow(() => {
        frames = javaStack();
      });
      if (frames.length > 0) return frames;
    }
  } catch (e) {
    // a thread the Java runtime does not know: the native backtrace below
  }
  return Thread.backtrace(context, Backtracer.ACCURATE).slice(0, 32).map(nativeFrame);
}

// "libfoo.so!symbol" where the library exports one near, else "libfoo.so+0x1234": the library is
// what attribution needs (an SDK's own .so), and full symbolication costs milliseconds per frame.
const frameNames = new Map<string, string>();

export function nativeFrame(address: NativePointer): string {
  const key = address.toString();
  let name = frameNames.get(key);
  if (name === undefined) {
    const module = Process.findModuleByAddress(address);
    if (module === null) {
      name = key;
    } else {
      const symbol = DebugSymbol.fromAddress(address);
      const offset = `+0x${address.sub(module.base).toString(16)}`;
      name = symbol.name !== null && symbol.moduleName === module.name ? `${module.name}!${symbol.name}` : `${module.name}${offset}`;
    }
    if (frameNames.size < 50000) frameNames.set(key, name);
  }
  return name;
}

export function threadLabel(): string {
  try {
    if (Java.available && Java.vm.tryGetEnv() !== null) {
      let name: string | null = null;
      Java.performNow(() => {
        name = threadName();
      });
      if (name !== null) return name;
    }
  } catch (e) {
    // not a Java thread
  }
  return `tid ${Process.getCurrentThreadId()}`;
}


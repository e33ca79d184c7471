import Java from "frida-java-bridge";

// Stack capture. The naive way (Throwable.getStackTrace(), then one toString() JNI call per
// frame) costs a JNI round trip per frame. Ours renders the whole trace inside the runtime with
// printStackTrace into a StringWriter (a fixed handful of JNI calls, boot classes only, so it
// works from hooks in any class loader's context) and splits the text here.
let Thread: any = null;
let Throwable: any = null;
let StringWriter: any = null;
let PrintWriter: any = null;

function init(): void {
  if (Throwable !== null) return;
  Thread = Java.use("java.lang.Thread");
  Throwable = Java.use("java.lang.Throwable");
  StringWriter = Java.use("java.io.StringWriter");
  PrintWriter = Java.use("java.io.PrintWriter");
}

export function naiveStack(): string[] {
  init();
  const elements = Throwable.$new().getStackTrace();
  const frames: string[] = [];
  for (let i = 0; i < elements.length; i++) frames.push(elements[i].toString());
  return frames;
}

export function javaStack(): string[] {
  init();
  const sw = StringWriter.$new();
  Throwable.$new().printStackTrace(PrintWriter.$new(sw));
  const text: string = sw.toString();
  const frames: string[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("\tat ")) frames.push(line.substring(4).trimEnd());
  }
  return frames;
}

export function initStack(): void {
  init();
}

// Thread names rarely change; asking the runtime costs two JNI calls per event.
const threadNames = new Map<number, string | null>();

export function threadName(): string | null {
  const tid = Process.getCurrentThreadId();
  let name = threadNames.get(tid);
  if (name === undefined) {
    try {
      name = String(Thread.currentThread().getName());
    } catch (e) {
      name = null;
    }
    threadNames.set(tid, name);
  }
  return name;
}

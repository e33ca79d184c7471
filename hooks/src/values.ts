import Java from "frida-java-bridge";

// Converts Java values into JSON the host can store. Values from the app are bounded here so a
// huge return value cannot flood the channel.
const MAX_STRING = 4096;
const MAX_ITEMS = 500;

export function bounded(s: string): string {
  return s.length > MAX_STRING ? s.substring(0, MAX_STRING) + `…[${s.length} chars]` : s;
}

export function plain(value: any): any {
  if (value === null || value === undefined) return null;
  const t = typeof value;
  if (t === "number" || t === "boolean") return value;
  if (t === "string") return bounded(value);
  try {
    return bounded(value.toString());
  } catch (e) {
    return `<unprintable ${t}>`;
  }
}

function location(value: any): any {
  if (value === null) return null;
  return { latitude: value.getLatitude(), longitude: value.getLongitude() };
}

function packageList(value: any): any {
  if (value === null) return null;
  const list = Java.cast(value, Java.use("java.util.List"));
  const n = Math.min(list.size(), MAX_ITEMS);
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const info = list.get(i);
    const pkg = Java.cast(info, Java.use("android.content.pm.PackageInfo"));
    names.push(String(pkg.packageName.value));
  }
  return names;
}

function clip(value: any): any {
  if (value === null) return null;
  const data = Java.cast(value, Java.use("android.content.ClipData"));
  const texts: string[] = [];
  const n = Math.min(data.getItemCount(), MAX_ITEMS);
  for (let i = 0; i < n; i++) {
    const text = data.getItemAt(i).getText();
    texts.push(text === null ? "" : bounded(text.toString()));
  }
  return texts.length === 1 ? texts[0] : texts;
}

function viewText(view: any): any {
  const TextView = Java.use("android.widget.TextView");
  if (!TextView.class.isInstance(view)) return null;
  const text = Java.cast(view, TextView).getText();
  return text === null ? null : bounded(text.toString());
}

const converters: { [name: string]: (v: any) => any } = {
  location,
  package_list: packageList,
  clip,
  view_text: viewText,
};

export function convert(kind: string | undefined, value: any): any {
  if (!kind) return plain(value);
  const fn = converters[kind];
  if (!fn) return plain(value);
  try {
    return fn(value);
  } catch (e: any) {
    return { unconverted: plain(value), error: String(e) };
  }
}

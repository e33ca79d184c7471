import Java from "frida-java-bridge";
import { UnpinResult, post } from "./messages";

// Optional TLS unpinning (`--unpin`), written for privmon: it makes the app accept the proxy's
// certificate where the app or the platform pins or re-checks it. Each target is reported as
// installed or not, like catalogue entries.
export type { UnpinResult };

function notify(id: string): void {
  post({ type: "unpin:bypassed", id });
}

function replaceAll(className: string, method: string, id: string, body: (original: any, self: any, args: any[]) => any): UnpinResult {
  let klass: any;
  try {
    klass = Java.use(className);
  } catch (e) {
    return { id, state: "not_installed", reason: `class not found: ${className}` };
  }
  const target = klass[method];
  if (target === undefined || target.overloads === undefined) {
    return { id, state: "not_installed", reason: `no method ${method} in ${className}` };
  }
  for (const overload of target.overloads) {
    overload.implementation = function (this: any, ...args: any[]) {
      notify(id);
      return body(overload, this, args);
    };
  }
  return { id, state: "installed" };
}

export function unpin(): UnpinResult[] {
  const ArrayList = Java.use("java.util.ArrayList");
  const results: UnpinResult[] = [];
  // OkHttp 3 and 4 (Kotlin's internal name for the same check).
  for (const method of ["check", "check$okhttp"]) {
    results.push(replaceAll("okhttp3.CertificatePinner", method, `okhttp3.CertificatePinner.${method}`, () => undefined));
  }
  // Conscrypt, the platform's trust manager: hand back the chain as trusted.
  results.push(replaceAll("com.android.org.conscrypt.TrustManagerImpl", "verifyChain",
    "conscrypt.TrustManagerImpl.verifyChain", (_o, _self, args) => args[0]));
  results.push(replaceAll("com.android.org.conscrypt.TrustManagerImpl", "checkTrustedRecursive",
    "conscrypt.TrustManagerImpl.checkTrustedRecursive", () => ArrayList.$new()));
  // Network security config pins (<pin-set>).
  results.push(replaceAll("android.security.net.config.NetworkSecurityTrustManager", "checkPins",
    "network_security_config.checkPins", () => undefined));
  // WebView: proceed on TLS errors instead of cancelling.
  results.push(replaceAll("android.webkit.WebViewClient", "onReceivedSslError",
    "webview.onReceivedSslError", (_o, _self, args) => { args[1].proceed(); return undefined; }));
  return results;
}

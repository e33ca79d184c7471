package com.labapp.pinned;

import android.net.http.SslError;
import android.security.net.config.NetworkSecurityTrustManager;
import android.webkit.SslErrorHandler;
import android.webkit.WebView;
import android.webkit.WebViewClient;
import com.android.org.conscrypt.TrustManagerImpl;
import com.tendcloud.tenddata.lab.NativeGuard;
import java.util.ArrayList;
import okhttp3.CertificatePinner;
import privmon.lab.Lab;
import privmon.lab.Net;

/** An app that pins: each request is sent only if its TLS check passes, as on a phone where the
 *  check runs inside the TLS handshake. Behind privmon's proxy every check fails, unless the
 *  run uses --unpin. */
public final class PinnedMain {
    private PinnedMain() {}

    public static void main(String[] args) {
        attempt("okhttp pinning", "https://api.labshop.cn/v1/profile", () ->
                new CertificatePinner("api.labshop.cn").check("api.labshop.cn", new ArrayList<>()));
        attempt("conscrypt trust", "https://ulogs.umeng.com/unify_logs", () ->
                new TrustManagerImpl().verifyChain(new ArrayList<>(), new ArrayList<>(), "ulogs.umeng.com", false, null, null));
        attempt("network security config", "https://api.labshop.cn/v1/orders", () ->
                new NetworkSecurityTrustManager().checkServerTrusted(new ArrayList<>()));
        attempt("webview", "https://m.labshop.cn/index.html", () -> {
            SslErrorHandler handler = new SslErrorHandler();
            new WebViewClient().onReceivedSslError(new WebView(null), handler, new SslError());
            if (!handler.proceeded()) {
                throw new IllegalStateException("the WebView cancelled the load on a TLS error");
            }
        });
        // An SDK's native program (a child process) that pins in OpenSSL's verify callback, then
        // one that compares the pin after the handshake.
        Lab.attempt("native pinning", () -> NativeGuard.report("callback"));
        Lab.attempt("native late pinning", () -> NativeGuard.report("after"));
        // A client that trusts only the system's CAs: the handshake with the proxy itself fails.
        try {
            Net.send("GET", "https://config.labshop.cn/v1/flags", null, null, false);
            Lab.log("system-trust client: sent");
        } catch (Exception e) {
            Lab.log("system-trust client: TLS refused (" + e.getClass().getSimpleName() + ")");
        }
    }

    private interface Check {
        void run() throws Exception;
    }

    private static void attempt(String name, String url, Check check) {
        try {
            check.run();
        } catch (Exception e) {
            Lab.log(name + ": refused (" + e.getMessage().split("\n")[0] + ")");
            return;
        }
        try {
            int status = Net.send("GET", url, null, null);
            Lab.log(name + ": sent (" + status + ")");
        } catch (Exception e) {
            Lab.log(name + ": request failed: " + e);
        }
    }
}

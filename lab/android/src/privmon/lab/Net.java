package privmon.lab;

import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** The lab device's network: every request goes through the proxy configured with
 *  -Dprivmon.proxy=HOST:PORT, and TLS trusts the CA in -Dprivmon.ca=PEM (as a phone with the
 *  proxy's CA installed would). */
public final class Net {
    private static SSLContext ssl;

    private Net() {}

    private static synchronized SSLContext sslContext() throws Exception {
        if (ssl == null) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            String caPath = System.getProperty("privmon.ca");
            if (caPath != null) {
                try (InputStream in = new FileInputStream(caPath)) {
                    Certificate ca = CertificateFactory.getInstance("X.509").generateCertificate(in);
                    store.setCertificateEntry("privmon-proxy-ca", ca);
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
        }
        return ssl;
    }

    private static Proxy proxy() {
        String spec = System.getProperty("privmon.proxy");
        if (spec == null || spec.isEmpty()) {
            return Proxy.NO_PROXY;
        }
        int colon = spec.lastIndexOf(':');
        return new Proxy(Proxy.Type.HTTP, new InetSocketAddress(spec.substring(0, colon), Integer.parseInt(spec.substring(colon + 1))));
    }

    /** Sends a request and returns the status code; the response body is read and discarded. */
    public static int send(String method, String url, String contentType, String body) throws Exception {
        return send(method, url, contentType, body, true);
    }

    /** As send(), with trustProxyCa=false behaving like an app that trusts only the system's
     *  CAs (or pins): its TLS handshake with the proxy fails. */
    public static int send(String method, String url, String contentType, String body, boolean trustProxyCa) throws Exception {
        HttpURLConnection conn = (HttpURLConnection) new URL(url).openConnection(proxy());
        conn.setRequestProperty("User-Agent", "privmon-lab/1.0 (Linux; Android 13; lab)");
        return exchange(conn, method, contentType, body, trustProxyCa);
    }

    /** As send(), with a binary body (or none) and extra request headers as name, value pairs. */
    public static int send(String method, String url, String contentType, byte[] body, String[] headers) throws Exception {
        HttpURLConnection conn = (HttpURLConnection) new URL(url).openConnection(proxy());
        conn.setRequestProperty("User-Agent", "privmon-lab/1.0 (Linux; Android 13; lab)");
        for (int i = 0; i + 1 < headers.length; i += 2) {
            conn.setRequestProperty(headers[i], headers[i + 1]);
        }
        return exchange(conn, method, contentType, body, true);
    }

    /** As send(), but the way SDKs that ignore the system's proxy do it: Proxy.NO_PROXY, a direct
     *  connection to the host. The device still trusts the proxy's CA (installed on the phone). */
    public static int sendDirect(String method, String url, String contentType, String body) throws Exception {
        return exchange((HttpURLConnection) new URL(url).openConnection(Proxy.NO_PROXY), method, contentType, body, true);
    }

    private static int exchange(HttpURLConnection conn, String method, String contentType, String body, boolean trustProxyCa) throws Exception {
        return exchange(conn, method, contentType, body == null ? null : body.getBytes(StandardCharsets.UTF_8), trustProxyCa);
    }

    private static int exchange(HttpURLConnection conn, String method, String contentType, byte[] body, boolean trustProxyCa) throws Exception {
        if (conn instanceof HttpsURLConnection && trustProxyCa) {
            ((HttpsURLConnection) conn).setSSLSocketFactory(sslContext().getSocketFactory());
        }
        conn.setRequestMethod(method);
        conn.setConnectTimeout(10000);
        conn.setReadTimeout(10000);
        if (body != null) {
            conn.setDoOutput(true);
            conn.setRequestProperty("Content-Type", contentType);
            try (OutputStream out = conn.getOutputStream()) {
                out.write(body);
            }
        }
        int status = conn.getResponseCode();
        InputStream in = status >= 400 ? conn.getErrorStream() : conn.getInputStream();
        if (in != null) {
            try (InputStream stream = in) {
                stream.transferTo(new ByteArrayOutputStream());
            }
        }
        conn.disconnect();
        return status;
    }

    /** Opens a WebSocket (through the proxy, as a phone's app would), sends each text message,
     *  waits for the server's answer to each, and closes. Returns the number of answers. */
    public static int websocket(String url, String... messages) throws Exception {
        java.net.http.HttpClient.Builder builder = java.net.http.HttpClient.newBuilder()
                .connectTimeout(java.time.Duration.ofSeconds(10))
                .sslContext(sslContext());
        String spec = System.getProperty("privmon.proxy");
        if (spec != null && !spec.isEmpty()) {
            int colon = spec.lastIndexOf(':');
            builder.proxy(java.net.ProxySelector.of(new InetSocketAddress(spec.substring(0, colon), Integer.parseInt(spec.substring(colon + 1)))));
        }
        java.util.concurrent.LinkedBlockingQueue<String> answers = new java.util.concurrent.LinkedBlockingQueue<>();
        java.net.http.WebSocket socket = builder.build().newWebSocketBuilder()
                .header("User-Agent", "privmon-lab/1.0 (Linux; Android 13; lab)")
                .buildAsync(java.net.URI.create(url), new java.net.http.WebSocket.Listener() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
                        answers.add(data.toString());
                        ws.request(1);
                        return null;
                    }
                }).get(10, java.util.concurrent.TimeUnit.SECONDS);
        int answered = 0;
        for (String message : messages) {
            socket.sendText(message, true).get(10, java.util.concurrent.TimeUnit.SECONDS);
            if (answers.poll(10, java.util.concurrent.TimeUnit.SECONDS) != null) {
                answered++;
            }
        }
        socket.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "bye").get(10, java.util.concurrent.TimeUnit.SECONDS);
        return answered;
    }

    public static String md5Hex(String value) throws Exception {
        byte[] digest = java.security.MessageDigest.getInstance("MD5").digest(value.getBytes(StandardCharsets.UTF_8));
        StringBuilder hex = new StringBuilder();
        for (byte b : digest) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }
}

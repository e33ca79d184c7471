package okhttp3;

import java.security.cert.Certificate;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;

/** Stand-in for okhttp3.CertificatePinner: in the lab every chain is the proxy's, so a pinned
 *  host always fails, as it does on a phone behind an intercepting proxy. */
public final class CertificatePinner {
    private final String pinnedHost;

    public CertificatePinner(String pinnedHost) { this.pinnedHost = pinnedHost; }

    public void check(String hostname, List<Certificate> peerCertificates) throws SSLPeerUnverifiedException {
        if (hostname.equals(pinnedHost)) {
            throw new SSLPeerUnverifiedException("Certificate pinning failure!\n  Peer certificate chain: privmon lab proxy CA\n  Pinned certificates for " + hostname + ": sha256/AAAA=");
        }
    }
}

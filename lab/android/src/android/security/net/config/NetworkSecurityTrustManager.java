package android.security.net.config;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;

/** Stand-in for the network security config's trust manager with a <pin-set>. */
public class NetworkSecurityTrustManager {
    private void checkPins(List<X509Certificate> chain) throws CertificateException {
        throw new CertificateException("Pin verification failed");
    }

    public void checkServerTrusted(List<X509Certificate> chain) throws CertificateException {
        checkPins(chain);
    }
}

package com.android.org.conscrypt;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** Stand-in for Conscrypt's TrustManagerImpl: the proxy's CA is not in its trust store. */
public final class TrustManagerImpl {
    public List<X509Certificate> verifyChain(List<X509Certificate> untrustedChain, List<X509Certificate> trustAnchorChain,
                                             String host, boolean clientAuth, byte[] ocspData, byte[] tlsSctData)
            throws CertificateException {
        throw new CertificateException("java.security.cert.CertPathValidatorException: Trust anchor for certification path not found.");
    }

    public List<X509Certificate> checkTrustedRecursive(X509Certificate[] certs, byte[] ocspData, byte[] tlsSctData,
                                                       String host, boolean clientAuth, ArrayList<X509Certificate> untrustedChain)
            throws CertificateException {
        throw new CertificateException("Trust anchor for certification path not found.");
    }
}

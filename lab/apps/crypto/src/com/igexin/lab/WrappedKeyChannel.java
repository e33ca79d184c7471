package com.igexin.lab;

import android.content.Context;
import android.telephony.TelephonyManager;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import privmon.lab.Lab;
import privmon.lab.Net;

/** A push SDK that encrypts each registration with a fresh AES key and wraps that key with the
 *  server's RSA key: nothing in the upload repeats from one run to the next. */
public final class WrappedKeyChannel {
    private WrappedKeyChannel() {}

    public static void register(Context context) throws Exception {
        TelephonyManager tm = (TelephonyManager) context.getSystemService(Context.TELEPHONY_SERVICE);
        String payload = "{\"appid\":\"lab\",\"imsi\":\"" + tm.getSubscriberId() + "\",\"ts\":" + System.currentTimeMillis() + "}";
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair server = rsa.generateKeyPair(); // stands for the public key built into the SDK
        KeyGenerator aesKeys = KeyGenerator.getInstance("AES");
        aesKeys.init(128);
        SecretKey key = aesKeys.generateKey();
        byte[] iv = new byte[12];
        new SecureRandom().nextBytes(iv);
        Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
        byte[] sealed = aes.doFinal(payload.getBytes(StandardCharsets.UTF_8));
        Cipher wrap = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding");
        wrap.init(Cipher.ENCRYPT_MODE, server.getPublic());
        byte[] wrapped = wrap.doFinal(key.getEncoded());
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(wrapped.length >> 8);
        body.write(wrapped.length & 0xff);
        body.write(wrapped);
        body.write(iv);
        body.write(sealed);
        int status = Net.send("POST", "https://sdk.open.getui.com/api/v2/reg", "application/octet-stream", body.toByteArray(), new String[0]);
        Lab.log("wrapped key channel: registered (" + status + ")");
    }
}

package com.labapp.bench;

import android.telephony.TelephonyManager;
import java.util.Arrays;

/** The hook benchmark's lab app. Calls are made -Dprivmon.bench.depth frames deep (default 25:
 *  an Android app's SDK code runs under ActivityThread, Looper, Handler and its own layers).
 *  -Dprivmon.bench.mode=latency: times N calls of a hooked API one by one and prints the median.
 *  -Dprivmon.bench.mode=paced: makes -Dprivmon.bench.rate calls per second for
 *  -Dprivmon.bench.seconds seconds (to count the agent's messages per second).
 *  -Dprivmon.bench.mode=crypto: times N Cipher.doFinal() calls (AES/CBC, -Dprivmon.bench.bytes
 *  of input, default 1024) one by one and prints the median.
 *  -Dprivmon.bench.mode=open: times N opens (and closes) of -Dprivmon.bench.path, a file on no
 *  side-channel list, one by one and prints the median. */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) {
        TelephonyManager tm = new TelephonyManager();
        String mode = System.getProperty("privmon.bench.mode", "latency");
        if ("crypto".equals(mode)) {
            try {
                crypto(Integer.getInteger("privmon.bench.calls", 2_000), Integer.getInteger("privmon.bench.bytes", 1024));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        } else if ("open".equals(mode)) {
            try {
                open(Integer.getInteger("privmon.bench.calls", 20_000), System.getProperty("privmon.bench.path"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        } else if ("paced".equals(mode)) {
            paced(tm, Integer.getInteger("privmon.bench.rate", 10_000), Integer.getInteger("privmon.bench.seconds", 3));
        } else {
            latency(tm, Integer.getInteger("privmon.bench.calls", 5_000));
        }
    }

    private static void latency(TelephonyManager tm, int calls) {
        int depth = Integer.getInteger("privmon.bench.depth", 25);
        if (depth > 0) {
            deeper(tm, calls, depth);
            return;
        }
        measure(tm, calls);
    }

    private static void deeper(TelephonyManager tm, int calls, int depth) {
        if (depth <= 1) {
            measure(tm, calls);
        } else {
            deeper(tm, calls, depth - 1);
        }
    }

    private static void measure(TelephonyManager tm, int calls) {
        for (int i = 0; i < 500; i++) tm.getImei();  // warm-up
        long[] ns = new long[calls];
        for (int i = 0; i < calls; i++) {
            long t0 = System.nanoTime();
            tm.getImei();
            ns[i] = System.nanoTime() - t0;
        }
        Arrays.sort(ns);
        System.out.println("PRIVMON-BENCH median_ns=" + ns[calls / 2] + " p90_ns=" + ns[calls * 9 / 10] + " calls=" + calls);
    }

    private static void crypto(int calls, int bytes) throws Exception {
        javax.crypto.Cipher aes = javax.crypto.Cipher.getInstance("AES/CBC/PKCS5Padding");
        aes.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(new byte[16], "AES"),
                new javax.crypto.spec.IvParameterSpec(new byte[16]));
        byte[] input = new byte[bytes];
        for (int i = 0; i < 200; i++) aes.doFinal(input);  // warm-up
        long[] ns = new long[calls];
        for (int i = 0; i < calls; i++) {
            input[i % bytes] = (byte) i;
            long t0 = System.nanoTime();
            aes.doFinal(input);
            ns[i] = System.nanoTime() - t0;
        }
        Arrays.sort(ns);
        System.out.println("PRIVMON-BENCH median_ns=" + ns[calls / 2] + " p90_ns=" + ns[calls * 9 / 10] + " calls=" + calls);
    }

    private static void open(int calls, String path) throws Exception {
        for (int i = 0; i < 2_000; i++) new java.io.FileInputStream(path).close();  // warm-up
        long[] ns = new long[calls];
        for (int i = 0; i < calls; i++) {
            long t0 = System.nanoTime();
            new java.io.FileInputStream(path).close();
            ns[i] = System.nanoTime() - t0;
        }
        Arrays.sort(ns);
        System.out.println("PRIVMON-BENCH median_ns=" + ns[calls / 2] + " p90_ns=" + ns[calls * 9 / 10] + " calls=" + calls);
    }

    private static void paced(TelephonyManager tm, int rate, int seconds) {
        long start = System.nanoTime();
        long intervalNs = 1_000_000_000L / rate;
        long made = 0;
        long total = (long) rate * seconds;
        while (made < total) {
            long due = start + made * intervalNs;
            while (System.nanoTime() < due) { Thread.onSpinWait(); }
            tm.getImei();
            made++;
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.println("PRIVMON-BENCH paced_calls=" + made + " elapsed_s=" + elapsed);
    }
}

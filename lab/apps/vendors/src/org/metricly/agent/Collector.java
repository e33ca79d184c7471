package org.metricly.agent;

import com.quantbeacon.sdk.Tracker;
import privmon.lab.Lab;
import privmon.lab.Net;

/** A metrics SDK unknown to privmon that sends the IMEI another SDK read (it never reads it). */
public final class Collector {
    private Collector() {}

    public static void flush() throws Exception {
        int status = Net.send("GET", "http://collect.metricly.org/c?d=" + Tracker.cachedImei(), null, null);
        Lab.log("metricly: flushed (" + status + ")");
    }
}

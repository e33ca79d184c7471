package com.tencent.map.geolocation;

/** Stand-in for Tencent's location listener. */
public interface TencentLocationListener {
    void onStatusUpdate(String name, int status, String desc);
}

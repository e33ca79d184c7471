package com.tencent.map.geolocation;

/** Stand-in for Tencent's location request. */
public final class TencentLocationRequest {
    public static TencentLocationRequest create() { return new TencentLocationRequest(); }
}

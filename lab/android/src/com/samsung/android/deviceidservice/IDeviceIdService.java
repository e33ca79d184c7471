package com.samsung.android.deviceidservice;

import privmon.lab.Device;

/** Stand-in for Samsung's device ID service AIDL interface (Stub and its Proxy). */
public interface IDeviceIdService {
    String getOAID();
    String getVAID(String packageName);
    String getAAID(String packageName);

    abstract class Stub implements IDeviceIdService {
        public static IDeviceIdService asInterface(Object binder) { return new Proxy(); }

        public static class Proxy implements IDeviceIdService {
            public String getOAID() { return Device.get("oaid", null); }
            public String getVAID(String packageName) { return Device.get("vaid", null); }
            public String getAAID(String packageName) { return Device.get("aaid", null); }
        }
    }
}

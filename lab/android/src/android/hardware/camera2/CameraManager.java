package android.hardware.camera2;

import android.os.Handler;

/** Stand-in for android.hardware.camera2.CameraManager. */
public final class CameraManager {
    public void openCamera(String cameraId, CameraDevice.StateCallback callback, Handler handler) {
        callback.onOpened(new CameraDevice());
    }
}

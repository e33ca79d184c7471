package android.hardware.camera2;

import android.os.Handler;
import android.view.Surface;
import java.util.List;

/** Stand-in for android.hardware.camera2.CameraDevice (abstract on Android; concrete here). */
public class CameraDevice {
    public abstract static class StateCallback {
        public abstract void onOpened(CameraDevice camera);
    }

    public void createCaptureSession(List<Surface> outputs, CameraCaptureSession.StateCallback callback, Handler handler) {}
    public void close() {}
}

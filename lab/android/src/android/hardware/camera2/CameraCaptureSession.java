package android.hardware.camera2;

/** Stand-in for android.hardware.camera2.CameraCaptureSession. */
public abstract class CameraCaptureSession {
    public abstract static class StateCallback {
        public void onConfigured(CameraCaptureSession session) {}
    }
}

package android.hardware;

/** Stand-in for the legacy android.hardware.Camera. */
public class Camera {
    public static Camera open() { return new Camera(); }
    public static Camera open(int cameraId) { return new Camera(); }
    public void release() {}
}

package androidx.camera.core;

import java.util.concurrent.Executor;

/** Stand-in for CameraX's ImageCapture. */
public final class ImageCapture {
    public abstract static class OnImageCapturedCallback {
        public void onCaptureSuccess(Object image) {}
    }

    public void takePicture(Executor executor, OnImageCapturedCallback callback) {
        executor.execute(() -> callback.onCaptureSuccess(null));
    }
}

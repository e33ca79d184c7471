package android.media;

/** Stand-in for android.media.MediaRecorder. */
public class MediaRecorder {
    public void setAudioSource(int audioSource) {}
    public void setVideoSource(int videoSource) {}
    public void start() {}
    public void stop() {}
}

package android.media;

/** Stand-in for android.media.AudioRecord. */
public class AudioRecord {
    public AudioRecord(int audioSource, int sampleRateInHz, int channelConfig, int audioFormat, int bufferSizeInBytes) {}
    public void startRecording() {}
    public void stop() {}
}

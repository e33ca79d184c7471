package android.location;

/** Stand-in for android.location.OnNmeaMessageListener. */
public interface OnNmeaMessageListener {
    void onNmeaMessage(String message, long timestamp);
}

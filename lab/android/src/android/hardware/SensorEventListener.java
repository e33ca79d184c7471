package android.hardware;

/** Stand-in for android.hardware.SensorEventListener. */
public interface SensorEventListener {
    void onAccuracyChanged(Sensor sensor, int accuracy);
}

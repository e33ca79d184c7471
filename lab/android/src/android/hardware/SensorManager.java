package android.hardware;

import java.util.ArrayList;
import java.util.List;

/** Stand-in for android.hardware.SensorManager. */
public class SensorManager {
    public static final int SENSOR_DELAY_NORMAL = 3;

    public List<Sensor> getSensorList(int type) {
        List<Sensor> list = new ArrayList<>();
        list.add(new Sensor());
        return list;
    }

    public Sensor getDefaultSensor(int type) { return new Sensor(); }
    public boolean registerListener(SensorEventListener listener, Sensor sensor, int samplingPeriodUs) { return true; }
}

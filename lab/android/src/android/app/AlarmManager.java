package android.app;

/** Stand-in for android.app.AlarmManager; alarms never ring. */
public class AlarmManager {
    public static final int RTC_WAKEUP = 0;

    public void set(int type, long triggerAtMillis, PendingIntent operation) {}
    public void setExact(int type, long triggerAtMillis, PendingIntent operation) {}
    public void setRepeating(int type, long triggerAtMillis, long intervalMillis, PendingIntent operation) {}
    public void setInexactRepeating(int type, long triggerAtMillis, long intervalMillis, PendingIntent operation) {}
    public void setAndAllowWhileIdle(int type, long triggerAtMillis, PendingIntent operation) {}
    public void setExactAndAllowWhileIdle(int type, long triggerAtMillis, PendingIntent operation) {}
}

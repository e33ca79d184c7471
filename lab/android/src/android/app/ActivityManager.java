package android.app;

import android.content.ComponentName;
import java.util.ArrayList;
import java.util.List;

/** Stand-in for android.app.ActivityManager. */
public class ActivityManager {
    public static class RunningAppProcessInfo {
        public String processName;
        public RunningAppProcessInfo(String processName) { this.processName = processName; }
        @Override public String toString() { return processName; }
    }

    public static class RunningTaskInfo {
        @Override public String toString() { return "TaskInfo{com.tencent.mm}"; }
    }

    public static class RecentTaskInfo {
        @Override public String toString() { return "RecentTaskInfo{com.eg.android.AlipayGphone}"; }
    }

    public static class RunningServiceInfo {
        @Override public String toString() { return "RunningServiceInfo{com.tencent.mm/.booter.CoreService}"; }
    }

    public List<RunningAppProcessInfo> getRunningAppProcesses() {
        List<RunningAppProcessInfo> list = new ArrayList<>();
        list.add(new RunningAppProcessInfo("com.tencent.mm"));
        list.add(new RunningAppProcessInfo("com.labapp.shop"));
        return list;
    }

    public PendingIntent getRunningServiceControlPanel(ComponentName service) { return new PendingIntent(); }

    public List<RunningTaskInfo> getRunningTasks(int maxNum) {
        List<RunningTaskInfo> list = new ArrayList<>();
        list.add(new RunningTaskInfo());
        return list;
    }

    public List<RecentTaskInfo> getRecentTasks(int maxNum, int flags) {
        List<RecentTaskInfo> list = new ArrayList<>();
        list.add(new RecentTaskInfo());
        return list;
    }

    public List<RunningServiceInfo> getRunningServices(int maxNum) {
        List<RunningServiceInfo> list = new ArrayList<>();
        list.add(new RunningServiceInfo());
        return list;
    }
}

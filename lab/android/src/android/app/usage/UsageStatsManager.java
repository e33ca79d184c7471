package android.app.usage;

import java.util.ArrayList;
import java.util.List;

/** Stand-in for android.app.usage.UsageStatsManager. */
public final class UsageStatsManager {
    public List<UsageStats> queryUsageStats(int intervalType, long beginTime, long endTime) {
        List<UsageStats> list = new ArrayList<>();
        list.add(new UsageStats("com.tencent.mm"));
        return list;
    }
}

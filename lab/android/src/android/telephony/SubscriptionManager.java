package android.telephony;

import java.util.ArrayList;
import java.util.List;

/** Stand-in for android.telephony.SubscriptionManager. */
public class SubscriptionManager {
    public List<SubscriptionInfo> getActiveSubscriptionInfoList() {
        List<SubscriptionInfo> list = new ArrayList<>();
        list.add(new SubscriptionInfo());
        return list;
    }
}

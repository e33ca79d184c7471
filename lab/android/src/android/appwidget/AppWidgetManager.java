package android.appwidget;

import java.util.ArrayList;
import java.util.List;

/** Stand-in for android.appwidget.AppWidgetManager. */
public class AppWidgetManager {
    public List<AppWidgetProviderInfo> getInstalledProviders() {
        List<AppWidgetProviderInfo> list = new ArrayList<>();
        list.add(new AppWidgetProviderInfo());
        return list;
    }
}

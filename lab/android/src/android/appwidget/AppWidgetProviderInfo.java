package android.appwidget;

/** Stand-in for android.appwidget.AppWidgetProviderInfo. */
public class AppWidgetProviderInfo {
    @Override public String toString() { return "AppWidgetProviderInfo(com.sina.weibo/.Widget)"; }
}

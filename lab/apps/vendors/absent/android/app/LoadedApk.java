package android.app;

/** Android's hidden record of a loaded APK: SDKs compiled against it reach it by reflection on some
 *  Android versions; the lab device does not have it (this class is compiled against, never
 *  shipped), so reflecting on a class that names it fails with NoClassDefFoundError. */
public class LoadedApk {
}

package com.labapp.coverage;

import android.accounts.AccountManager;
import android.app.ActivityManager;
import android.app.AlarmManager;
import android.app.ApplicationPackageManager;
import android.app.Dialog;
import android.app.JobSchedulerImpl;
import android.app.PendingIntent;
import android.app.admin.DevicePolicyManager;
import android.app.job.JobInfo;
import android.app.usage.UsageStatsManager;
import android.appwidget.AppWidgetManager;
import android.bluetooth.BluetoothAdapter;
import android.bluetooth.BluetoothDevice;
import android.bluetooth.le.ScanCallback;
import android.content.ClipData;
import android.content.ClipboardManager;
import android.content.ComponentName;
import android.content.ContentResolver;
import android.content.ContentValues;
import android.content.Context;
import android.content.Intent;
import android.content.SharedPreferences;
import android.content.pm.PackageManager;
import android.database.ContentObserver;
import android.database.sqlite.SQLiteDatabase;
import android.hardware.Camera;
import android.hardware.Sensor;
import android.hardware.SensorManager;
import android.hardware.camera2.CameraCaptureSession;
import android.hardware.camera2.CameraDevice;
import android.hardware.camera2.CameraManager;
import android.location.Criteria;
import android.location.Geocoder;
import android.location.Location;
import android.location.LocationManager;
import android.media.AudioRecord;
import android.media.MediaDrm;
import android.media.MediaRecorder;
import android.media.projection.MediaProjectionManager;
import android.net.ConnectivityManager;
import android.net.NetworkInfo;
import android.net.Uri;
import android.net.wifi.WifiInfo;
import android.net.wifi.WifiManager;
import android.os.Build;
import android.os.CancellationSignal;
import android.os.Looper;
import android.os.PowerManager;
import android.os.SystemProperties;
import android.provider.Settings;
import android.telephony.SmsManager;
import android.telephony.SubscriptionInfo;
import android.telephony.SubscriptionManager;
import android.telephony.TelephonyManager;
import android.telephony.UiccCardInfo;
import android.telephony.cdma.CdmaCellLocation;
import android.telephony.gsm.GsmCellLocation;
import android.webkit.WebView;
import android.widget.Button;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FileReader;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.zip.GZIPOutputStream;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import privmon.lab.Lab;

/** The catalogue lab app: calls every API in privmon's hook catalogue at least once, with
 *  arguments that pass the catalogue's filters, so the coverage test can check that each entry
 *  installs, fires and reports the right PI category. */
public final class CoverageMain {
    private static final String PKG = "com.labapp.coverage";
    private static final String OTHER = "com.tencent.mm";
    private static final Executor DIRECT = Runnable::run;

    private CoverageMain() {}

    public static void main(String[] args) throws Exception {
        CoverageActivity activity = new CoverageActivity();
        identifiers(activity);
        network(activity);
        apps(activity);
        location(activity);
        content(activity);
        media(activity);
        storage(activity);
        permissionsAndSignals(activity);
        crypto();
        requests(activity);
        Lab.log("coverage: done");
    }

    private static void identifiers(Context ctx) throws Exception {
        TelephonyManager tm = (TelephonyManager) ctx.getSystemService(Context.TELEPHONY_SERVICE);
        tm.getDeviceId(); tm.getDeviceId(0);
        TelephonyManager.class.getMethod("getImei").invoke(tm);  // reached through reflection
        tm.getMeid(); tm.getSubscriberId(); tm.getSimSerialNumber();
        tm.getNai(); tm.getGroupIdLevel1(); tm.getLine1Number(); tm.getVoiceMailNumber(); tm.getSimOperator();
        tm.getSimOperatorName(); tm.getNetworkOperator(); tm.getNetworkOperatorName(); tm.getSimCountryIso();
        tm.getSimState(); tm.getServiceState(); tm.listen(new android.telephony.PhoneStateListener(), 0x10);
        tm.registerTelephonyCallback(DIRECT, new android.telephony.TelephonyCallback());
        tm.getCellLocation(); tm.getAllCellInfo(); tm.getNeighboringCellInfo();
        tm.requestCellInfoUpdate(DIRECT, new TelephonyManager.CellInfoCallback() {
            @Override public void onCellInfo(java.util.List<android.telephony.CellInfo> cellInfo) {}
        });
        CdmaCellLocation cdma = new CdmaCellLocation();
        cdma.getBaseStationId(); cdma.getNetworkId();
        GsmCellLocation gsm = new GsmCellLocation();
        gsm.getCid(); gsm.getLac();
        SubscriptionManager subscriptions = (SubscriptionManager) ctx.getSystemService(Context.TELEPHONY_SUBSCRIPTION_SERVICE);
        SubscriptionInfo info = subscriptions.getActiveSubscriptionInfoList().get(0);
        info.getIccId(); info.getNumber(); info.getMcc(); info.getMnc();
        new UiccCardInfo().getIccId();
        SmsManager sms = SmsManager.getDefault();
        sms.sendTextMessage("10086", null, "CXLL", null, null);
        sms.sendTextMessageWithSelfPermissions("10086", null, "CXLL", null, null, true);
        sms.sendMultipartTextMessage("10086", null, new ArrayList<>(Collections.singletonList("CXLL")), null, null);
        sms.sendDataMessage("10086", null, (short) 8091, new byte[] {1, 2}, null, null);
        sms.sendDataMessageWithSelfPermissions("10086", null, (short) 8091, new byte[] {1, 2}, null, null);
        ContentResolver cr = ctx.getContentResolver();
        Settings.Secure.getString(cr, Settings.Secure.ANDROID_ID);
        Settings.System.getString(cr, "android_id");
        Settings.Secure.getString(cr, "bluetooth_name");  // filtered out: not android_id
        Build.getSerial(); Build.getRadioVersion();
        SystemProperties.get("ro.serialno");
        SystemProperties.get("ro.product.model");  // filtered out
        new MediaDrm(UUID.fromString("edef8ba9-79d6-4ace-a3c8-27dcd51d21ed")).getPropertyByteArray(MediaDrm.PROPERTY_DEVICE_UNIQUE_ID);
        com.google.android.gms.ads.identifier.AdvertisingIdClient.getAdvertisingIdInfo(ctx).getId();
        com.android.id.impl.IdProviderImpl xiaomi = new com.android.id.impl.IdProviderImpl();
        xiaomi.getUDID(ctx); xiaomi.getOAID(ctx); xiaomi.getVAID(ctx); xiaomi.getAAID(ctx);
        com.samsung.android.deviceidservice.IDeviceIdService samsung =
                com.samsung.android.deviceidservice.IDeviceIdService.Stub.asInterface(null);
        samsung.getOAID(); samsung.getVAID(PKG); samsung.getAAID(PKG);
        repeackage.com.samsung.android.deviceidservice.IDeviceIdService repackaged =
                repeackage.com.samsung.android.deviceidservice.IDeviceIdService.Stub.asInterface(null);
        repackaged.getOAID(); repackaged.getVAID(PKG); repackaged.getAAID(PKG);
        com.bun.miitmdid.core.MdidSdkHelper.InitSdk(ctx, false, (supported, supplier) -> supplier.getOAID());
        com.huawei.hms.ads.identifier.AdvertisingIdClient.getAdvertisingIdInfo(ctx);
        com.hihonor.ads.identifier.AdvertisingIdClient.getAdvertisingIdInfo(ctx);
    }

    private static void network(Context ctx) throws Exception {
        ((DevicePolicyManager) ctx.getSystemService(Context.DEVICE_POLICY_SERVICE)).getWifiMacAddress(null);
        WifiManager wifi = (WifiManager) ctx.getSystemService(Context.WIFI_SERVICE);
        WifiInfo info = wifi.getConnectionInfo();
        info.getMacAddress(); info.getSSID(); info.getBSSID(); info.getIpAddress();
        wifi.getConfiguredNetworks(); wifi.getScanResults(); wifi.getWifiState(); wifi.getDhcpInfo();
        InetAddress v4 = InetAddress.getByName("127.0.0.1");
        v4.getHostAddress(); v4.getAddress(); v4.getHostName();
        InetAddress v6 = InetAddress.getByName("::1");
        v6.getHostAddress(); v6.getAddress();
        InetSocketAddress socketAddress = new InetSocketAddress("127.0.0.1", 8080);
        socketAddress.getAddress(); socketAddress.getHostName();
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            nif.getHardwareAddress();
        }
        NetworkInfo active = ((ConnectivityManager) ctx.getSystemService(Context.CONNECTIVITY_SERVICE)).getActiveNetworkInfo();
        active.getType(); active.getTypeName(); active.getExtraInfo(); active.isAvailable(); active.isConnected();
        BluetoothAdapter adapter = BluetoothAdapter.getDefaultAdapter();
        adapter.getName(); adapter.getAddress();
        for (BluetoothDevice device : adapter.getBondedDevices()) {
            device.getName(); device.getAddress();
        }
        adapter.getBluetoothLeScanner().startScan(new ScanCallback() {});
        try (FileInputStream arp = new FileInputStream("/proc/net/arp")) {
            arp.read();
        }
        try (FileReader mac = new FileReader("/sys/class/net/lo/address")) {
            mac.read();
        }
        Process shell = Runtime.getRuntime().exec("cat /proc/net/arp");
        shell.waitFor();
        Process builder = new ProcessBuilder("cat", "/sys/class/net/lo/address").start();
        builder.waitFor();
    }

    private static void apps(Context ctx) throws Exception {
        PackageManager plain = new PackageManager();
        plain.getInstalledPackages(0); plain.getInstalledApplications(0);
        plain.getInstalledPackagesAsUser(0, 0); plain.getInstalledApplicationsAsUser(0, 0);
        Intent launcher = new Intent("android.intent.action.MAIN");
        plain.queryIntentActivities(launcher, 0);
        plain.queryIntentActivityOptions(null, new Intent[0], launcher, 0);
        plain.queryIntentServices(launcher, 0); plain.queryIntentContentProviders(launcher, 0);
        plain.getPackagesHoldingPermissions(new String[] {"android.permission.CAMERA"}, 0);
        plain.getPackageInfo(OTHER, 0);
        ApplicationPackageManager pm = (ApplicationPackageManager) ctx.getPackageManager();
        pm.getInstalledPackages(0); pm.getInstalledApplications(0); pm.queryIntentActivities(launcher, 0);
        pm.getApplicationInfo(OTHER, 0); pm.getPackageInfoAsUser(OTHER, 0, 0); pm.getInstallerPackageName(OTHER);
        pm.getInstallerPackageName(PKG);  // the app's own package: filtered out
        ActivityManager am = (ActivityManager) ctx.getSystemService(Context.ACTIVITY_SERVICE);
        am.getRunningAppProcesses(); am.getRunningServiceControlPanel(new ComponentName(OTHER, "S"));
        am.getRunningTasks(5); am.getRecentTasks(5, 0); am.getRunningServices(5);
        ((UsageStatsManager) ctx.getSystemService(Context.USAGE_STATS_SERVICE)).queryUsageStats(0, 0, System.currentTimeMillis());
        ((AppWidgetManager) ctx.getSystemService(Context.APPWIDGET_SERVICE)).getInstalledProviders();
    }

    private static void location(Context ctx) throws Exception {
        LocationManager lm = (LocationManager) ctx.getSystemService(Context.LOCATION_SERVICE);
        Location fix = lm.getLastKnownLocation(LocationManager.GPS_PROVIDER);
        lm.requestLocationUpdates(LocationManager.GPS_PROVIDER, 1000L, 0f, location -> { });
        lm.requestSingleUpdate(LocationManager.NETWORK_PROVIDER, location -> { }, Looper.getMainLooper());
        lm.getCurrentLocation(LocationManager.GPS_PROVIDER, new CancellationSignal(), DIRECT, location -> { });
        lm.addNmeaListener((message, timestamp) -> { });
        lm.addProximityAlert(31.23, 121.47, 100f, -1L, new PendingIntent());
        lm.getBestProvider(new Criteria(), true); lm.getProvider(LocationManager.GPS_PROVIDER);
        lm.getGnssHardwareModelName(); lm.getGnssYearOfHardware();
        fix.getLatitude(); fix.getLongitude(); fix.getAltitude(); fix.getAccuracy(); fix.getBearing();
        fix.getBearingAccuracyDegrees(); fix.getElapsedRealtimeNanos(); fix.getExtras(); fix.getProvider();
        fix.getSpeed(); fix.getSpeedAccuracyMetersPerSecond(); fix.getVerticalAccuracyMeters(); fix.getTime();
        Geocoder geocoder = new Geocoder(ctx);
        geocoder.getFromLocation(31.23, 121.47, 1); geocoder.getFromLocationName("人民广场", 1);
        com.google.android.gms.location.FusedLocationProviderClient fused =
                com.google.android.gms.location.LocationServices.getFusedLocationProviderClient(ctx);
        fused.getLastLocation(); fused.getCurrentLocation(100, null);
        fused.requestLocationUpdates(new com.google.android.gms.location.LocationRequest(),
                new com.google.android.gms.location.LocationCallback() {}, Looper.getMainLooper());
        com.amap.api.location.AMapLocationClient.updatePrivacyShow(ctx, true, true);
        com.amap.api.location.AMapLocationClient.updatePrivacyAgree(ctx, true);
        new com.amap.api.location.AMapLocationClient(ctx).startLocation();
        com.baidu.location.LocationClient.setAgreePrivacy(true);
        new com.baidu.location.LocationClient(ctx).start();
        com.tencent.map.geolocation.TencentLocationManager.setUserAgreePrivacy(true);
        com.tencent.map.geolocation.TencentLocationManager.getInstance(ctx).requestLocationUpdates(
                com.tencent.map.geolocation.TencentLocationRequest.create(), (name, status, desc) -> { });
    }

    private static void content(Context ctx) throws Exception {
        ContentResolver cr = ctx.getContentResolver();
        cr.query(Uri.parse("content://com.android.contacts/contacts"), null, null, null, null);
        cr.query(Uri.parse("content://sms/inbox"), null, null, null);
        cr.query(Uri.parse("content://settings/system"), null, null, null, null);  // not PI: filtered out
        cr.openInputStream(Uri.parse("content://media/external/images/media/1")).close();
        cr.registerContentObserver(Uri.parse("content://call_log/calls"), true, new ContentObserver() {});
        cr.acquireContentProviderClient(Uri.parse("content://com.android.calendar/events"));
        cr.acquireContentProviderClient("com.google.android.gsf.gservices");
        AccountManager accounts = AccountManager.get(ctx);
        accounts.getAccounts(); accounts.getAccountsByType("com.google");
        ClipboardManager clipboard = (ClipboardManager) ctx.getSystemService(Context.CLIPBOARD_SERVICE);
        clipboard.hasPrimaryClip(); clipboard.getPrimaryClipDescription(); clipboard.getPrimaryClip(); clipboard.getText();
        clipboard.addPrimaryClipChangedListener(() -> { });
        clipboard.setPrimaryClip(ClipData.newPlainText("coupon", "LAB-COUPON-2026"));
    }

    private static void media(Context ctx) throws Exception {
        Camera.open().release();
        ((CameraManager) ctx.getSystemService(Context.CAMERA_SERVICE)).openCamera("0", new CameraDevice.StateCallback() {
            @Override public void onOpened(CameraDevice camera) {
                camera.createCaptureSession(new ArrayList<>(), new CameraCaptureSession.StateCallback() {}, null);
            }
        }, null);
        new androidx.camera.core.ImageCapture().takePicture(DIRECT, new androidx.camera.core.ImageCapture.OnImageCapturedCallback() {});
        MediaRecorder recorder = new MediaRecorder();
        recorder.setAudioSource(1); recorder.setVideoSource(1); recorder.start(); recorder.stop();
        new AudioRecord(1, 16000, 16, 2, 4096).startRecording();
        SensorManager sensors = (SensorManager) ctx.getSystemService(Context.SENSOR_SERVICE);
        sensors.getSensorList(Sensor.TYPE_ALL);
        Sensor accelerometer = sensors.getDefaultSensor(Sensor.TYPE_ACCELEROMETER);
        sensors.registerListener((sensor, accuracy) -> { }, accelerometer, SensorManager.SENSOR_DELAY_NORMAL);
        ((MediaProjectionManager) ctx.getSystemService(Context.MEDIA_PROJECTION_SERVICE)).getMediaProjection(-1, new Intent());
    }

    private static void storage(Context ctx) throws Exception {
        SharedPreferences.Editor editor = ctx.getSharedPreferences("app_settings", Context.MODE_PRIVATE).edit();
        editor.putString("device_id", "864273052471596").putBoolean("privacy_agreed", true).putInt("launches", 1)
                .putLong("first_launch", System.currentTimeMillis()).apply();
        File dir = Files.createTempDirectory("privmon-lab-").toFile();
        File nested = new File(dir, "cache/deep");
        nested.mkdirs();
        new File(dir, "logs").mkdir();
        try (FileOutputStream out = new FileOutputStream(new File(dir, "ids.txt"))) {
            out.write("imei=864273052471596".getBytes(StandardCharsets.UTF_8));
        }
        try (RandomAccessFile raf = new RandomAccessFile(new File(dir, "ids.bin"), "rw")) {
            raf.writeInt(42);
        }
        SQLiteDatabase db = SQLiteDatabase.openOrCreateDatabase(dir + "/app.db", null);
        ContentValues values = new ContentValues();
        values.put("imei", "864273052471596");
        db.insert("device", null, values);
        db.execSQL("CREATE TABLE IF NOT EXISTS t (x)");
    }

    private static void permissionsAndSignals(CoverageActivity activity) throws Exception {
        String[] permissions = {"android.permission.READ_PHONE_STATE", "android.permission.ACCESS_FINE_LOCATION"};
        android.support.v4.app.ActivityCompat.requestPermissions(activity, permissions, 1);
        androidx.core.app.ActivityCompat.requestPermissions(activity, permissions, 2);
        activity.requestPermissions(permissions, 3);
        new androidx.fragment.app.Fragment().requestPermissions(permissions, 4);
        activity.checkSelfPermission("android.permission.CAMERA");
        activity.checkPermission("android.permission.CAMERA", 1, 1000);
        activity.labResume();
        activity.labPause();
        activity.startActivity(new Intent().setClassName(OTHER, "com.tencent.mm.ui.LauncherUI"));
        activity.startService(new Intent().setPackage(OTHER));
        activity.bindService(new Intent().setComponent(new ComponentName(OTHER, "com.tencent.mm.Svc")), (name, binder) -> { }, Context.BIND_AUTO_CREATE);
        activity.startService(new Intent().setPackage(PKG));  // the app's own component: filtered out
        Dialog dialog = new Dialog(activity);
        dialog.setTitle("用户协议与隐私政策");
        dialog.show();
        Button agree = new Button("同意");
        agree.setOnClickListener(v -> { });
        agree.performClick();
        dialog.dismiss();
        new WebView(activity).loadUrl("https://www.labshop.cn/privacy.html");
        com.baidu.mapapi.SDKInitializer.setAgreePrivacy(activity, true);
        com.umeng.commonsdk.UMConfigure.preInit(activity, "5f8a1c2b3d4e5f6a7b8c9d0e", "lab");
        com.umeng.commonsdk.UMConfigure.submitPolicyGrantResult(activity, true);
        com.umeng.commonsdk.UMConfigure.init(activity, "5f8a1c2b3d4e5f6a7b8c9d0e", "lab", 1, null);
        cn.jiguang.api.utils.JCollectionAuth.setAuth(activity, true);
        cn.jpush.android.api.JPushInterface.init(activity);
        ((PowerManager) activity.getSystemService(Context.POWER_SERVICE)).isInteractive();
        android.os.Process.killProcess(-1);
        new CoverageService().onStartCommand(new Intent(), 0, 1);
        AlarmManager alarms = (AlarmManager) activity.getSystemService(Context.ALARM_SERVICE);
        PendingIntent wake = new PendingIntent();
        long at = System.currentTimeMillis() + 60_000;
        alarms.set(AlarmManager.RTC_WAKEUP, at, wake);
        alarms.setExact(AlarmManager.RTC_WAKEUP, at, wake);
        alarms.setRepeating(AlarmManager.RTC_WAKEUP, at, 60_000, wake);
        alarms.setInexactRepeating(AlarmManager.RTC_WAKEUP, at, 60_000, wake);
        alarms.setAndAllowWhileIdle(AlarmManager.RTC_WAKEUP, at, wake);
        alarms.setExactAndAllowWhileIdle(AlarmManager.RTC_WAKEUP, at, wake);
        ((JobSchedulerImpl) activity.getSystemService(Context.JOB_SCHEDULER_SERVICE)).schedule(new JobInfo(7));
        androidx.work.WorkManager.getInstance(activity).enqueue(new androidx.work.WorkRequest());
        activity.finish();
        Thread worker = new Thread(() -> { throw new IllegalStateException("lab: a worker thread failed"); }, "lab-worker");
        worker.setUncaughtExceptionHandler((thread, error) -> Lab.log("worker failed: " + error.getMessage()));
        worker.start();
        worker.join();
    }

    private static void crypto() throws Exception {
        byte[] imei = "864273052471596".getBytes(StandardCharsets.UTF_8);
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        md5.update(imei);
        md5.digest();
        Cipher aes = Cipher.getInstance("AES/ECB/PKCS5Padding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec("0123456789abcdef".getBytes(StandardCharsets.UTF_8), "AES"));
        aes.update(imei);
        aes.doFinal();
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("key".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update(imei);
        mac.doFinal(imei);
        android.util.Base64.encode(imei, android.util.Base64.NO_WRAP);
        java.util.Base64.getEncoder().encode(imei);
        java.util.Base64.getEncoder().encodeToString(imei);
        android.util.Base64.encodeToString(imei, android.util.Base64.NO_WRAP);
        try (GZIPOutputStream gzip = new GZIPOutputStream(new java.io.ByteArrayOutputStream())) {
            gzip.write(imei);
        }
    }

    private static void requests(Context ctx) throws Exception {
        new URL("https://api.labshop.cn/v1/ping").openConnection();
        okhttp3.Request request = new okhttp3.Request("POST", "https://api.growingio.com/v3/projects/lab/collect",
                "application/json", "{\"cs1\":\"user:42\"}");
        new okhttp3.OkHttpClient().newCall(request).execute();
        okhttp3.RealCall legacy = new okhttp3.RealCall(request);
        legacy.execute();
        legacy.enqueue(new okhttp3.Callback() {
            public void onResponse(okhttp3.Call call, okhttp3.Response response) {}
            public void onFailure(okhttp3.Call call, java.io.IOException e) {}
        });
    }
}

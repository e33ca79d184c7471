package android.telephony;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import privmon.lab.Device;

/** Stand-in for android.telephony.TelephonyManager; identifiers come from the device profile. */
public class TelephonyManager {
    public abstract static class CellInfoCallback {
        public abstract void onCellInfo(List<CellInfo> cellInfo);
    }

    public String getDeviceId() { return Device.get("imei", null); }
    public String getDeviceId(int slotIndex) { return Device.get("imei." + slotIndex, getDeviceId()); }
    public String getImei() { return Device.get("imei", null); }
    public String getImei(int slotIndex) { return Device.get("imei." + slotIndex, getImei()); }
    public String getMeid() { return Device.get("meid", null); }
    public String getMeid(int slotIndex) { return getMeid(); }
    public String getSubscriberId() { return Device.get("imsi", null); }
    public String getSimSerialNumber() { return Device.get("iccid", null); }
    public String getNai() { return Device.get("nai", "lab@nai.example"); }
    public String getGroupIdLevel1() { return Device.get("gid1", "ff"); }
    public String getLine1Number() { return Device.get("phone_number", null); }
    public String getVoiceMailNumber() { return Device.get("voicemail_number", "+8613800138000"); }
    public String getSimOperator() { return Device.get("sim_operator", "46001"); }
    public String getSimOperatorName() { return Device.get("sim_operator_name", "CHN-UNICOM"); }
    public String getNetworkOperator() { return Device.get("network_operator", "46001"); }
    public String getNetworkOperatorName() { return Device.get("network_operator_name", "China Unicom"); }
    public String getSimCountryIso() { return Device.get("sim_country", "cn"); }
    public int getSimState() { return 5; }
    public ServiceState getServiceState() { return new ServiceState(); }
    public void listen(PhoneStateListener listener, int events) { }
    public void registerTelephonyCallback(Executor executor, TelephonyCallback callback) { }
    public CellLocation getCellLocation() { return new android.telephony.gsm.GsmCellLocation(); }
    public List<CellInfo> getAllCellInfo() {
        List<CellInfo> cells = new ArrayList<>();
        cells.add(new CellInfo());
        return cells;
    }
    public void requestCellInfoUpdate(Executor executor, CellInfoCallback callback) {
        executor.execute(() -> callback.onCellInfo(getAllCellInfo()));
    }
    public List<NeighboringCellInfo> getNeighboringCellInfo() {
        List<NeighboringCellInfo> cells = new ArrayList<>();
        cells.add(new NeighboringCellInfo());
        return cells;
    }
}

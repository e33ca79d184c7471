package cn.utdid.share;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import privmon.lab.Lab;
import privmon.lab.Net;

/** Reads the device ID another SDK left on shared storage (Alibaba's UTDID file). */
public final class SharedId {
    private SharedId() {}

    public static void sync() throws Exception {
        String xml = new String(Files.readAllBytes(Path.of("/sdcard/.UTSystemConfig/Global/Alvin2.xml")), StandardCharsets.UTF_8);
        String utdid = xml.replaceAll("(?s).*<string name=\"UTDID2\">([^<]+)</string>.*", "$1");
        int status = Net.send("GET", "http://sync.utdid.cn/i?u=" + utdid, null, null);
        Lab.log("utdid: synced (" + status + ")");
    }
}

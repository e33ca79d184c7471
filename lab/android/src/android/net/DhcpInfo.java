package android.net;

/** Stand-in for android.net.DhcpInfo. */
public class DhcpInfo {
    @Override public String toString() { return "ipaddr 192.168.31.57 gateway 192.168.31.1 netmask 255.255.255.0"; }
}

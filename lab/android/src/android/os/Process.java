package android.os;

import privmon.lab.Lab;

/** Stand-in for android.os.Process: the lab logs a kill instead of ending the JVM. */
public final class Process {
    private Process() {}

    public static int myPid() { return (int) ProcessHandle.current().pid(); }

    public static void killProcess(int pid) { Lab.log("process killed: " + pid); }
}

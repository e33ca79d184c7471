package privmon.lab;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/** Runs a lab app under the lab contract:
 *  1. prints {@value Lab#READY_LINE} and waits for one line on stdin (privmon attaches then);
 *  2. runs the app's {@code main(String[])} on a thread named "main";
 *  3. waits for the agent's last batch, prints {@code PRIVMON-LAB EXIT <code>} (1 when the app
 *     threw) and exits the JVM, so
 *     threads left behind by the app or by instrumentation never keep it alive;
 *  4. with -Dprivmon.ownerPid, ends the JVM at once when that process (privmon) is gone, so a
 *     killed privmon never leaves a lab app behind, even one that never exits. */
public final class Launcher {
    public static final String EXIT_PREFIX = "PRIVMON-LAB EXIT ";

    private Launcher() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: privmon.lab.Launcher MAIN_CLASS [ARGS...]");
            System.exit(2);
        }
        watchOwner(Long.getLong("privmon.ownerPid", 0L));
        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        String[] appArgs = java.util.Arrays.copyOfRange(args, 1, args.length);
        Lab.ready();
        if (Screen.driven()) {
            // only when privmon drives, and only once the hooks are in: a thread started before
            // (blocked in accept) made HotSpot's safepoint deadlock under Frida (docs/lab.md) far
            // more frequent while frida-java-bridge installed the hooks
            Screen.serve();
        }
        final Throwable[] failure = new Throwable[1];
        Thread app = new Thread(() -> {
            try {
                main.invoke(null, (Object) appArgs);
            } catch (InvocationTargetException e) {
                throw Launcher.<RuntimeException>sneaky(e.getCause());
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }, "main");
        app.setUncaughtExceptionHandler((thread, error) -> {
            failure[0] = error;
            error.printStackTrace();
        });
        app.start();
        app.join();
        int code = failure[0] == null ? 0 : 1;
        // Give the agent's batch timer (50 ms) time to send the app's last events: privmon stops
        // listening soon after the exit line.
        Thread.sleep(Long.getLong("privmon.lab.exitDelayMs", 250L));
        System.out.println(EXIT_PREFIX + code + (failure[0] == null ? "" : " " + failure[0]));
        System.out.flush();
        System.exit(code);
    }

    private static void watchOwner(long pid) {
        if (pid <= 0) {
            return;
        }
        java.util.Optional<ProcessHandle> owner = ProcessHandle.of(pid);
        Thread watch = new Thread(() -> {
            while (owner.map(ProcessHandle::isAlive).orElse(false)) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.err.println("privmon (pid " + pid + ") is gone: the lab app ends");
            Runtime.getRuntime().halt(137);
        }, "privmon-owner-watch");
        watch.setDaemon(true);
        watch.start();
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }
}

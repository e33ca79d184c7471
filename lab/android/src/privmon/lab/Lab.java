package privmon.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** The lab contract: print the ready line, then wait for one line on stdin before starting.
 *  privmon attaches Frida between the two, so every hook is in place before the app runs. */
public final class Lab {
    public static final String READY_LINE = "PRIVMON-LAB READY";

    private Lab() {}

    public static void ready() throws IOException {
        System.out.println(READY_LINE);
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if (in.readLine() == null) {
            throw new IOException("stdin closed before the go signal");
        }
    }

    public static void log(String message) {
        System.out.println("[lab] " + message);
        System.out.flush();
    }

    /** One step of a lab app (an SDK's work): a failure is logged and the app goes on, as an
     *  SDK's exception would not stop the app that embeds it. */
    public interface Step {
        void run() throws Exception;
    }

    public static void attempt(String name, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            log(name + ": failed: " + e);
        }
    }

    public static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A program an SDK started (its native code in a child process): each line it prints is
     *  logged with `prefix`, and the app waits for it at most 20 s. */
    public static void logOutput(String prefix, Process child) throws IOException, InterruptedException {
        String line;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            while ((line = out.readLine()) != null) {
                log(prefix + line);
            }
        }
        if (!child.waitFor(20, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            log(prefix + "the child did not finish");
        }
    }

    /** The user answers the dialog: the lab's own tester taps `testerChoice` after `delayMs`
     *  (-Dprivmon.lab.consentDelayMs overrides it); when privmon drives the app, whoever taps the
     *  screen answers, and the app waits for that (at most -Dprivmon.lab.uiTimeoutMs). */
    public static void userAnswers(android.app.Dialog dialog, android.view.View testerChoice, long delayMs) {
        if (!Screen.driven()) {
            pause(longProperty("privmon.lab.consentDelayMs", delayMs));
            testerChoice.performClick();
            return;
        }
        if (!Screen.awaitAnswer(dialog, longProperty("privmon.lab.uiTimeoutMs", 60000))) {
            log("app: the dialog was never answered");
        }
    }

    /** The user sends the app to the background (Home): the lab's tester does it at once; when
     *  privmon drives, the app waits for it. False when it never happened. */
    public static boolean userLeaves(android.app.Activity activity) {
        if (!Screen.driven()) {
            activity.labPause();
            return true;
        }
        return Screen.awaitForeground(false, longProperty("privmon.lab.uiTimeoutMs", 60000));
    }

    /** The user comes back to the app: the lab's tester at once; when privmon drives, the app
     *  waits for the launcher to bring it back. */
    public static boolean userReturns(android.app.Activity activity) {
        if (!Screen.driven()) {
            activity.labResume();
            return true;
        }
        return Screen.awaitForeground(true, longProperty("privmon.lab.uiTimeoutMs", 60000));
    }

    /** The app stays open, as an Android app does until its user leaves it or the system ends
     *  it (force-stop): when privmon drives, whoever drives ends it (at most
     *  -Dprivmon.lab.uiTimeoutMs later); the lab's own tester leaves at once. */
    public static void stayOpen() {
        if (Screen.driven()) {
            pause(longProperty("privmon.lab.uiTimeoutMs", 60000));
        }
    }

    public static long longProperty(String name, long fallback) {
        String value = System.getProperty(name);
        return value == null ? fallback : Long.parseLong(value);
    }
}

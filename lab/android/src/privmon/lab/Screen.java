package privmon.lab;

import android.app.Activity;
import android.app.Dialog;
import android.view.View;
import android.view.ViewGroup;
import android.widget.Button;
import android.widget.TextView;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The lab phone's screen: the app's activity and the dialogs on top of it, laid out on a
 *  1080×2340 screen. privmon reads and touches it from outside as it does a phone's, through a
 *  loopback socket whose port the launcher prints ({@value #UI_LINE} PORT): one request a
 *  connection, "dump" (uiautomator's XML), "tap X Y", "key CODE" (3 Home, 4 Back), "launch". */
public final class Screen {
    public static final String UI_LINE = "PRIVMON-LAB UI";
    static final int WIDTH = 1080;
    static final int HEIGHT = 2340;
    static final String LAUNCHER = "com.android.launcher3";

    private static final Object LOCK = new Object();
    private static final List<Dialog> dialogs = new ArrayList<>();
    private static Activity activity;
    private static boolean foreground = true;

    private Screen() {}

    /** True when privmon drives the app from outside; false when the lab app plays its own
     *  tester (taps its buttons itself after -Dprivmon.lab.consentDelayMs). */
    public static boolean driven() {
        return "privmon".equals(System.getProperty("privmon.lab.driver", "tester"));
    }

    public static void show(Dialog dialog) {
        synchronized (LOCK) {
            dialogs.remove(dialog);
            dialogs.add(dialog);
            LOCK.notifyAll();
        }
    }

    public static void hide(Dialog dialog) {
        synchronized (LOCK) {
            dialogs.remove(dialog);
            LOCK.notifyAll();
        }
    }

    public static void resumed(Activity resumed) {
        synchronized (LOCK) {
            activity = resumed;
            foreground = true;
            LOCK.notifyAll();
        }
    }

    public static void paused(Activity paused) {
        synchronized (LOCK) {
            if (activity == paused) {
                foreground = false;
            }
            LOCK.notifyAll();
        }
    }

    /** Waits until the dialog is no longer shown (answered) or `millis` pass; true when answered. */
    public static boolean awaitAnswer(Dialog dialog, long millis) {
        return await(() -> !dialogs.contains(dialog), millis);
    }

    /** Waits until the app is in the background (or back in the foreground) or `millis` pass. */
    public static boolean awaitForeground(boolean wanted, long millis) {
        return await(() -> foreground == wanted, millis);
    }

    private interface Condition {
        boolean holds();
    }

    private static boolean await(Condition condition, long millis) {
        long deadline = System.currentTimeMillis() + millis;
        synchronized (LOCK) {
            while (!condition.holds()) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                try {
                    LOCK.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    /** Starts the screen's socket and prints its port; called by the launcher before the app runs. */
    public static void serve() throws IOException {
        ServerSocket server = new ServerSocket(0, 16, InetAddress.getByName("127.0.0.1"));
        Thread thread = new Thread(() -> {
            while (true) {
                try (Socket client = server.accept()) {
                    answer(client);
                } catch (IOException | RuntimeException e) {
                    Lab.log("screen: " + e);
                }
            }
        }, "privmon-lab-screen");
        thread.setDaemon(true);
        thread.start();
        System.out.println(UI_LINE + " " + server.getLocalPort());
        System.out.flush();
    }

    private static void answer(Socket client) throws IOException {
        client.setSoTimeout(5000);
        BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
        String line = in.readLine();
        String[] words = line == null ? new String[0] : line.trim().split("\\s+");
        String reply;
        if (words.length == 1 && words[0].equals("dump")) {
            reply = dump();
        } else if (words.length == 3 && words[0].equals("tap")) {
            reply = tap(Integer.parseInt(words[1]), Integer.parseInt(words[2]));
        } else if (words.length == 2 && words[0].equals("key")) {
            reply = key(Integer.parseInt(words[1]));
        } else if (words.length == 1 && words[0].equals("launch")) {
            reply = launch();
        } else {
            reply = "error: unknown request";
        }
        OutputStream out = client.getOutputStream();
        out.write(reply.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    // -- layout -----------------------------------------------------------------------------------

    /** A view placed on the screen. */
    private static final class Placed {
        final View view;
        final String pkg;
        final int left, top, right, bottom;

        Placed(View view, String pkg, int left, int top, int right, int bottom) {
            this.view = view;
            this.pkg = pkg;
            this.left = left;
            this.top = top;
            this.right = right;
            this.bottom = bottom;
        }

        boolean contains(int x, int y) {
            return x >= left && x < right && y >= top && y < bottom;
        }
    }

    private static int rowHeight(View view) {
        if (view instanceof Button) {
            return 150;
        }
        if (view instanceof TextView) {
            int length = String.valueOf(((TextView) view).getText()).length();
            return Math.min(900, 80 * (1 + length / 24));
        }
        return 0;
    }

    private static void flatten(View view, List<View> into) {
        if (view == null) {
            return;
        }
        into.add(view);
        if (view instanceof ViewGroup) {
            for (View child : ((ViewGroup) view).labChildren()) {
                flatten(child, into);
            }
        }
    }

    private static List<Placed> place(Dialog dialog) {
        List<View> views = new ArrayList<>();
        flatten(dialog.labContent(), views);
        List<Placed> placed = new ArrayList<>();
        int y = 700 + 140;  // the title's row
        for (View view : views) {
            int height = rowHeight(view);
            if (height > 0) {
                placed.add(new Placed(view, dialog.labPackage(), 100, y, WIDTH - 100, y + height));
                y += height + 20;
            }
        }
        return placed;
    }

    private static int dialogBottom(List<Placed> placed) {
        return placed.isEmpty() ? 700 + 200 : placed.get(placed.size() - 1).bottom + 60;
    }

    // -- what privmon asks --------------------------------------------------------------------------

    static String dump() {
        StringBuilder xml = new StringBuilder("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">");
        synchronized (LOCK) {
            if (!foreground || activity == null) {
                node(xml, "android.widget.FrameLayout", LAUNCHER, "", "", false, 0, 0, WIDTH, HEIGHT);
                xml.append("</node>");
            } else {
                node(xml, "android.widget.FrameLayout", activity.getPackageName(), "", "", false, 0, 0, WIDTH, HEIGHT);
                xml.append("</node>");
                for (Dialog dialog : dialogs) {
                    List<Placed> placed = place(dialog);
                    node(xml, "android.widget.FrameLayout", dialog.labPackage(), "", "", false, 60, 700, WIDTH - 60, dialogBottom(placed));
                    node(xml, "android.widget.TextView", dialog.labPackage(), String.valueOf(dialog.labTitle()), "", false, 100, 720, WIDTH - 100, 820);
                    xml.append("</node>");
                    for (Placed p : placed) {
                        String text = p.view instanceof TextView ? String.valueOf(((TextView) p.view).getText()) : "";
                        String cls = p.view instanceof Button ? "android.widget.Button" : "android.widget.TextView";
                        node(xml, cls, p.pkg, text, p.view.labResourceId(), p.view.isClickable(), p.left, p.top, p.right, p.bottom);
                        xml.append("</node>");
                    }
                    xml.append("</node>");
                }
            }
        }
        return xml.append("</hierarchy>").toString();
    }

    private static void node(StringBuilder xml, String cls, String pkg, String text, String id, boolean clickable,
                             int left, int top, int right, int bottom) {
        xml.append("<node index=\"0\" text=\"").append(escape(text))
            .append("\" resource-id=\"").append(escape(id))
            .append("\" class=\"").append(cls)
            .append("\" package=\"").append(escape(pkg))
            .append("\" content-desc=\"\" checkable=\"false\" checked=\"false\" clickable=\"").append(clickable)
            .append("\" enabled=\"true\" focusable=\"").append(clickable)
            .append("\" focused=\"false\" scrollable=\"false\" long-clickable=\"false\" password=\"false\" selected=\"false\" bounds=\"[")
            .append(left).append(',').append(top).append("][").append(right).append(',').append(bottom).append("]\">");
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&': out.append("&amp;"); break;
                case '<': out.append("&lt;"); break;
                case '>': out.append("&gt;"); break;
                case '"': out.append("&quot;"); break;
                case '\n': out.append("&#10;"); break;
                default:
                    if (c < 0x20 && c != '\t') {
                        out.append(' ');
                    } else {
                        out.append(c);
                    }
            }
        }
        return out.toString();
    }

    static String tap(int x, int y) {
        Placed hit = null;
        synchronized (LOCK) {
            if (foreground && activity != null && !dialogs.isEmpty()) {
                Dialog top = dialogs.get(dialogs.size() - 1);  // a dialog is modal: only its views take taps
                for (Placed p : place(top)) {
                    if (p.contains(x, y) && p.view.isClickable()) {
                        hit = p;
                    }
                }
            }
        }
        if (hit == null) {
            return "nothing at " + x + "," + y;
        }
        String text = hit.view instanceof TextView ? String.valueOf(((TextView) hit.view).getText()) : "";
        if (activity != null && hit.pkg.equals(activity.getPackageName())) {
            hit.view.performClick();
        } else {
            hit.view.labClickAsSystem();  // a system window (the permission dialog) is not the app's view
        }
        return "tapped " + text;
    }

    static String key(int code) {
        Activity current;
        synchronized (LOCK) {
            current = activity;
            if (code != 3 || current == null || !foreground) {
                return "ok";
            }
        }
        current.labPause();  // Home: the app goes to the background
        return "ok";
    }

    static String launch() {
        Activity current;
        synchronized (LOCK) {
            current = activity;
            if (current == null || foreground) {
                return "ok";
            }
        }
        current.labResume();
        return "ok";
    }
}

package android.telephony;

import android.app.PendingIntent;
import java.util.ArrayList;

/** Stand-in for android.telephony.SmsManager: the public send methods go through the same
 *  internal methods as on Android. Nothing is sent. */
public final class SmsManager {
    private static final SmsManager DEFAULT = new SmsManager();

    public static SmsManager getDefault() { return DEFAULT; }

    public void sendTextMessage(String destinationAddress, String scAddress, String text,
                                PendingIntent sentIntent, PendingIntent deliveryIntent) {
        sendTextMessageInternal(destinationAddress, scAddress, text, sentIntent, deliveryIntent, true);
    }

    private void sendTextMessageInternal(String destinationAddress, String scAddress, String text,
                                         PendingIntent sentIntent, PendingIntent deliveryIntent, boolean persistMessage) {
    }

    public void sendTextMessageWithSelfPermissions(String destinationAddress, String scAddress, String text,
                                                   PendingIntent sentIntent, PendingIntent deliveryIntent, boolean persistMessage) {
        sendTextMessageInternal(destinationAddress, scAddress, text, sentIntent, deliveryIntent, persistMessage);
    }

    public void sendMultipartTextMessage(String destinationAddress, String scAddress, ArrayList<String> parts,
                                         ArrayList<PendingIntent> sentIntents, ArrayList<PendingIntent> deliveryIntents) {
        sendMultipartTextMessageInternal(destinationAddress, scAddress, parts, sentIntents, deliveryIntents, true);
    }

    private void sendMultipartTextMessageInternal(String destinationAddress, String scAddress, ArrayList<String> parts,
                                                  ArrayList<PendingIntent> sentIntents, ArrayList<PendingIntent> deliveryIntents,
                                                  boolean persistMessage) {
    }

    public void sendDataMessage(String destinationAddress, String scAddress, short destinationPort, byte[] data,
                                PendingIntent sentIntent, PendingIntent deliveryIntent) {
    }

    public void sendDataMessageWithSelfPermissions(String destinationAddress, String scAddress, short destinationPort,
                                                   byte[] data, PendingIntent sentIntent, PendingIntent deliveryIntent) {
    }
}

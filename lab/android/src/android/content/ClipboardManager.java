package android.content;

import privmon.lab.Device;

/** Stand-in for android.content.ClipboardManager; the clip comes from the device profile. */
public class ClipboardManager {
    public interface OnPrimaryClipChangedListener {
        void onPrimaryClipChanged();
    }

    private ClipData written;

    public ClipData getPrimaryClip() {
        if (written != null) return written;
        String text = Device.get("clipboard", null);
        return text == null ? null : ClipData.newPlainText("lab", text);
    }

    public CharSequence getText() {
        ClipData clip = getPrimaryClip();
        return clip == null ? null : clip.getItemAt(0).getText();
    }

    public boolean hasPrimaryClip() { return getPrimaryClip() != null; }
    public ClipDescription getPrimaryClipDescription() { return new ClipDescription(); }
    public void addPrimaryClipChangedListener(OnPrimaryClipChangedListener listener) {}
    public void setPrimaryClip(ClipData clip) { written = clip; }
}

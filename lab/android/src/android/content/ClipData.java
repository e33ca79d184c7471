package android.content;

import java.util.ArrayList;
import java.util.List;

/** Stand-in for android.content.ClipData. */
public class ClipData {
    public static class Item {
        private final CharSequence text;

        public Item(CharSequence text) {
            this.text = text;
        }

        public CharSequence getText() {
            return text;
        }
    }

    private final List<Item> items = new ArrayList<>();

    public ClipData(Item item) {
        items.add(item);
    }

    public static ClipData newPlainText(CharSequence label, CharSequence text) {
        return new ClipData(new Item(text));
    }

    public int getItemCount() {
        return items.size();
    }

    public Item getItemAt(int index) {
        return items.get(index);
    }

    /** As on Android: "ClipData { text/plain {T:text} }". */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("ClipData { text/plain");
        for (Item item : items) {
            b.append(" {T:").append(item.getText()).append('}');
        }
        return b.append(" }").toString();
    }
}

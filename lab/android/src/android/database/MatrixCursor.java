package android.database;

/** Stand-in for android.database.MatrixCursor. */
public class MatrixCursor implements Cursor {
    private final int rows;
    public MatrixCursor(int rows) { this.rows = rows; }
    public int getCount() { return rows; }
    public void close() {}
    @Override public String toString() { return "MatrixCursor{rows=" + rows + "}"; }
}

package android.database.sqlite;

import android.content.ContentValues;

/** Stand-in for android.database.sqlite.SQLiteDatabase; nothing is stored. */
public final class SQLiteDatabase {
    public static SQLiteDatabase openOrCreateDatabase(String path, Object factory) { return new SQLiteDatabase(); }
    public long insert(String table, String nullColumnHack, ContentValues values) { return 1; }
    public void execSQL(String sql) {}
}

package androidx.work;

/** Stand-in for androidx.work.WorkRequest. */
public class WorkRequest {
    @Override public String toString() { return "WorkRequest{SyncWorker}"; }
}

package androidx.work;

/** Stand-in for androidx.work.WorkManager. */
public abstract class WorkManager {
    public static WorkManager getInstance(Object context) { return new androidx.work.impl.WorkManagerImpl(); }
    public abstract Operation enqueue(WorkRequest request);
}

package android.app.job;

/** Stand-in for android.app.job.JobInfo. */
public class JobInfo {
    private final int id;
    public JobInfo(int id) { this.id = id; }
    @Override public String toString() { return "(job:" + id + ")"; }
}

package android.app.job;

/** Stand-in for android.app.job.JobScheduler. */
public abstract class JobScheduler {
    public static final int RESULT_SUCCESS = 1;
    public abstract int schedule(JobInfo job);
}

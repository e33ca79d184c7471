package androidx.work;

/** Stand-in for androidx.work.Operation. */
public class Operation {
}

package com.google.android.gms.tasks;

/** Stand-in for Play services' Task, already complete. */
public class Task<T> {
    private final T result;
    public Task(T result) { this.result = result; }
    public T getResult() { return result; }
    public boolean isSuccessful() { return true; }
}

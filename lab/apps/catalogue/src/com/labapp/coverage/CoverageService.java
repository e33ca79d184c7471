package com.labapp.coverage;

import android.app.Service;
import android.content.Intent;

/** A service woken by the system (the lab calls onStartCommand as Android would). */
final class CoverageService extends Service {
    CoverageService() { super("com.labapp.coverage"); }

    @Override
    public int onStartCommand(Intent intent, int flags, int startId) {
        return super.onStartCommand(intent, flags, startId);
    }
}

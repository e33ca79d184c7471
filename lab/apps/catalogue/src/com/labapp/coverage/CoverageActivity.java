package com.labapp.coverage;

import android.app.Activity;

/** An activity that behaves as Android requires: lifecycle overrides call super. */
final class CoverageActivity extends Activity {
    CoverageActivity() { super("com.labapp.coverage"); }

    @Override protected void onResume() { super.onResume(); }
    @Override protected void onPause() { super.onPause(); }

    @Override
    public void onRequestPermissionsResult(int requestCode, String[] permissions, int[] grantResults) {
        super.onRequestPermissionsResult(requestCode, permissions, grantResults);
    }
}

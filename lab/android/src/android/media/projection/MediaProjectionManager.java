package android.media.projection;

import android.content.Intent;

/** Stand-in for android.media.projection.MediaProjectionManager. */
public final class MediaProjectionManager {
    public MediaProjection getMediaProjection(int resultCode, Intent resultData) { return new MediaProjection(); }
}

package android.media.projection;

/** Stand-in for android.media.projection.MediaProjection. */
public final class MediaProjection {
}

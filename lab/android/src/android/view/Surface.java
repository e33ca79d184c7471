package android.view;

/** Stand-in for android.view.Surface. */
public class Surface {
}

package android.location;

/** Stand-in for android.location.Criteria. */
public class Criteria {
}

package okhttp3;

/** Stand-in for okhttp3.Callback. */
public interface Callback {
    void onResponse(Call call, Response response);
    void onFailure(Call call, java.io.IOException e);
}

package okhttp3.internal.connection;

import java.io.IOException;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Request;
import okhttp3.Response;
import privmon.lab.Net;

/** Stand-in for OkHttp 4's RealCall: the request really goes out, through the lab's proxy. */
public final class RealCall implements Call {
    private final Request request;

    public RealCall(Request request) { this.request = request; }

    public Request request() { return request; }

    public Response execute() throws IOException {
        try {
            return new Response(Net.send(request.method(), request.url().toString(), request.contentType(), request.body()));
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    public void enqueue(Callback callback) {
        try {
            callback.onResponse(this, execute());
        } catch (IOException e) {
            callback.onFailure(this, e);
        }
    }
}

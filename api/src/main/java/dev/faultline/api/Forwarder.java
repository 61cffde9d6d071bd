package dev.faultline.api;

import dev.faultline.analyser.query.StateQueries.Owner;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The hop to the instance that owns a VM: the same GET, marked as forwarded so the owner answers
 * from its own state and never forwards again (a partition moving mid-hop gets a 503, not a loop).
 */
final class Forwarder {
    /** Set on a forwarded request; an instance receiving it answers locally or says 503. */
    static final String FORWARDED = "X-Faultline-Forwarded";
    /** Which instance answered, on every forwarded answer. */
    static final String SERVED_BY = "X-Faultline-Served-By";

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static boolean isForwarded(Context ctx) {
        return ctx.header(FORWARDED) != null;
    }

    /** Answers {@code ctx} with the owner's answer to the same request. */
    void forward(Context ctx, Owner owner) {
        String query = ctx.queryString();
        Answer a = get(owner, ctx.path() + (query == null ? "" : "?" + query), ctx.header("Authorization"));
        ctx.status(a.status()).contentType("application/json").header(SERVED_BY, owner.host() + ":" + owner.port())
                .result(a.body());
    }

    record Answer(int status, String body) {
    }

    /** GET {@code pathAndQuery} from another instance; a 503 ApiException when it does not answer. */
    Answer get(Owner owner, String pathAndQuery, String authorization) {
        String where = owner.host() + ":" + owner.port();
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://" + where + pathAndQuery))
                .timeout(Duration.ofSeconds(5)).header(FORWARDED, "1").GET();
        if (authorization != null) {
            req.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> r = client.send(req.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new ApiException(503, "instance " + where + " did not answer: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted while asking instance " + where);
        }
    }
}

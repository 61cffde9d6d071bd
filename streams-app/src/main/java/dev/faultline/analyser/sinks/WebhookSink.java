package dev.faultline.analyser.sinks;

import dev.faultline.alerts.Alert;
import dev.faultline.analyser.alerts.AlertJson;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Generic webhook: the alert's JSON, signed. The receiver recomputes HMAC-SHA256 of the raw body
 * with the shared secret and compares it with {@value #SIGNATURE_HEADER} ({@code sha256=<hex>}).
 */
public final class WebhookSink implements AlertSink {
    public static final String SIGNATURE_HEADER = "X-Faultline-Signature";

    private final URI url;
    private final byte[] secret;

    public WebhookSink(URI url, String secret) {
        this.url = url;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String kind() {
        return "webhook";
    }

    @Override
    public void deliver(Alert a) throws IOException {
        String body = AlertJson.text(a);
        HttpPoster.postJson(url, body, Map.of(SIGNATURE_HEADER, "sha256=" + sign(secret, body.getBytes(StandardCharsets.UTF_8)),
                "X-Faultline-Alert-Id", a.getAlertId()));
    }

    /** HMAC-SHA256 of {@code body}, hex. */
    public static String sign(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}

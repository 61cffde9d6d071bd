package dev.faultline.cli;

import dev.faultline.api.ApiServer;
import dev.faultline.api.Sources;
import picocli.CommandLine.Option;

/** Where the query API listens, for every command that runs an analyser. */
final class HttpApiOptions {
    @Option(names = "--http-host", defaultValue = "127.0.0.1", paramLabel = "HOST",
            description = "Address the query API binds to (default: ${DEFAULT-VALUE}; read-only, but keep it private or set --api-token).")
    String httpHost;

    @Option(names = "--http-port", defaultValue = "7070", paramLabel = "PORT",
            description = "Port of the dashboard (/), the query API (/api/..., described at /api/openapi.json), /metrics, "
                    + "/health and /ready; see docs/api.md (default: ${DEFAULT-VALUE}; -1 turns it off).")
    int httpPort;

    @Option(names = "--api-token", paramLabel = "TOKEN",
            description = "Bearer token every /api request must carry (best set in the environment, not on the command line).")
    String apiToken;

    /** The started server, or null when turned off. */
    ApiServer start(Sources sources) {
        return httpPort < 0 ? null : new ApiServer(sources, httpHost, httpPort, apiToken);
    }

    /** The dashboard's address (the API is under /api). */
    static String url(ApiServer api, String host) {
        return api == null ? "" : "http://" + (host.equals("0.0.0.0") ? "localhost" : host) + ":" + api.port() + "/";
    }
}

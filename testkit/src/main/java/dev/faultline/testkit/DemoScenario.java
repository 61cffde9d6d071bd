package dev.faultline.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The scenario {@code faultline demo} and the query benchmark replay: scenarios/ of the installation, else the bundled copy. */
public final class DemoScenario {
    public static final String NAME = "demo-snp.trace";

    private DemoScenario() {
    }

    /** A file holding the scenario (a temp copy of the bundled one outside an installation). */
    public static Path path() throws IOException {
        String home = System.getProperty("faultline.home");
        if (home != null && Files.isRegularFile(Path.of(home, "scenarios", NAME))) {
            return Path.of(home, "scenarios", NAME);
        }
        try (InputStream in = DemoScenario.class.getResourceAsStream("/faultline/scenarios/" + NAME)) {
            if (in == null) {
                throw new IOException("bundled scenario " + NAME + " is missing");
            }
            Path tmp = Files.createTempFile("faultline-demo", ".trace");
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return tmp;
        }
    }
}

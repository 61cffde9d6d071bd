package dev.faultline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.faultline.analyser.rules.RuleSet;
import dev.faultline.api.ApiServer;
import dev.faultline.api.Sources;
import dev.faultline.testkit.LocalPipeline;
import dev.faultline.collector.source.tracefs.KernelFeatures;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in real headless Chromium (Debian's, through its chromedriver) while the demo
 * scenario runs on the real broker: the page is opened before the replay, the VM and its alerts
 * arrive by live updates, the memory map is checked pixel by pixel (private range, the shared hole,
 * the as-of view before the conversion), and a screenshot is saved as target/dashboard.png.
 */
class DashboardBrowserIT {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final String PRIVATE = "123,63,191";
    static final String SHARED = "63,167,160";

    LocalPipeline pipeline;
    ApiServer api;
    ChromeDriver browser;

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (api != null) {
            api.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }

    /** Chromium and its driver (loud skip; a failure under CI, which installs them). */
    static void requireChromium() {
        KernelFeatures.requireTool(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Chromium or chromedriver (apt-get install chromium chromium-driver)");
    }

    @Test
    void dashboardShowsTheScenarioVmItsMemoryMapAndBothAlerts() throws Exception {
        requireChromium();
        RuleSet rules = RuleSet.load(ROOT.resolve("rules"));
        pipeline = TestKafka.pipeline(rules, a -> { });
        api = new ApiServer(new Sources(pipeline.queries(), () -> rules, pipeline::sinkStats, null), "127.0.0.1", 0, null);
        browser = startBrowser();
        browser.get("http://127.0.0.1:" + api.port() + "/");
        assertThat(browser.findElement(By.id("vms-empty")).isDisplayed()).as("no VM before the replay").isTrue();

        pipeline.replay(ROOT.resolve("scenarios/demo-snp.trace").toString(), "it-host");
        pipeline.awaitProcessed(Duration.ofSeconds(120));

        // Everything below reaches the page through live updates: no reload.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(browser.findElements(By.cssSelector("#alerts li"))).hasSize(2);
            assertThat(browser.findElement(By.id("live")).getText()).isEqualTo("live");
        });
        assertThat(browser.findElement(By.id("vm-title")).getText()).isEqualTo("it-host/4242/12@100.000026");
        List<String> rulesShown = browser.findElements(By.cssSelector("#alerts li")).stream()
                .map(li -> li.getDomAttribute("data-rule")).toList();
        assertThat(rulesShown).containsExactlyInAnyOrder("private-fault-emulated-mmio", "gmem-invalidation-outside-binding");
        for (WebElement li : browser.findElements(By.cssSelector("#alerts li"))) {
            assertThat(li.findElements(By.cssSelector("table tr"))).as("evidence rows").isNotEmpty();
        }
        assertThat(browser.findElement(By.cssSelector("#memslots tbody")).getText()).contains("0x0–0x3ffff");

        // The whole guest: GFN 0x200 (the MMIO alert's page) is drawn private.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(pixelAt(0x200)).as("whole guest at GFN 0x200").isEqualTo(PRIVATE));
        assertThat(mapWindow()).isEqualTo("0x0..0x3ffff");
        assertThat(pixelAt(0x108)).as("the 16-page shared hole keeps a pixel in the whole guest").isEqualTo(SHARED);

        // Zoomed to 0xf0..0x11f: the pages converted to shared (0x100..0x10f) show between private ones.
        showWindow("0xf0", "0x11f");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(mapWindow()).as(this::pageState)
                .isEqualTo("0xf0..0x11f"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(pixelAt(0xf8)).isEqualTo(PRIVATE);
            assertThat(pixelAt(0x108)).isEqualTo(SHARED);
            assertThat(pixelAt(0x118)).isEqualTo(PRIVATE);
        });

        // As of 100.000700 s, before the conversion at 100.000754, the same window is all private.
        ((JavascriptExecutor) browser).executeScript("const s = document.getElementById('slider');"
                + "s.value = '100000700000'; s.dispatchEvent(new Event('input')); s.dispatchEvent(new Event('change'));");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(pixelAt(0x108)).isEqualTo(PRIVATE));
        assertThat(browser.findElement(By.id("at")).getText()).isEqualTo("100.000700 s");

        // Back to now, on the MMIO alert's pages, for the screenshot.
        browser.findElement(By.id("now")).click();
        // "now" re-renders the alert list: an item found just before may be replaced, so find and click again.
        await().atMost(Duration.ofSeconds(10)).ignoreExceptionsInstanceOf(org.openqa.selenium.StaleElementReferenceException.class)
                .until(() -> {
                    browser.findElement(By.cssSelector("#alerts li[data-rule='private-fault-emulated-mmio']")).click();
                    return true;
                });
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(pixelAt(0x200)).isEqualTo(PRIVATE));
        browser.findElement(By.id("zoom-all")).click();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(mapWindow()).isEqualTo("0x0..0x3ffff"));
        // The screenshot: populated pages, the shared hole and the MMIO alert's page in one window.
        showWindow("0x0", "0x21f");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(mapWindow()).isEqualTo("0x0..0x21f");
            assertThat(pixelAt(0x108)).isEqualTo(SHARED);
        });
        File shot = browser.getScreenshotAs(OutputType.FILE);
        Path saved = Path.of("target", "dashboard.png");
        Files.copy(shot.toPath(), saved, StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(saved)).isGreaterThan(10_000);
        System.err.println("dashboard screenshot: " + saved.toAbsolutePath());
    }

    private ChromeDriver startBrowser() {
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1500,1250");
        return new ChromeDriver(service, options);
    }

    private void showWindow(String first, String last) {
        WebElement a = browser.findElement(By.id("first"));
        WebElement b = browser.findElement(By.id("last"));
        a.clear();
        a.sendKeys(first);
        b.clear();
        b.sendKeys(last);
        browser.findElement(By.id("go")).click();
    }

    /** What the page says, for a failing assertion's message. */
    private String pageState() {
        return "note '" + browser.findElement(By.id("map-note")).getText() + "', inputs "
                + browser.findElement(By.id("first")).getDomProperty("value") + ".."
                + browser.findElement(By.id("last")).getDomProperty("value");
    }

    private String mapWindow() {
        WebElement map = browser.findElement(By.id("map"));
        return map.getDomAttribute("data-first") + ".." + map.getDomAttribute("data-last");
    }

    /** "r,g,b" of the memory map's attribute band at a GFN of the window shown. */
    private String pixelAt(long gfn) {
        Object rgb = ((JavascriptExecutor) browser).executeScript("""
                const c = document.getElementById('map');
                const first = BigInt(c.dataset.first), last = BigInt(c.dataset.last), g = BigInt(arguments[0]);
                const span = Number(last - first + 1n);
                const x = Math.floor((Number(g - first) + 0.5) / span * c.width);
                const p = c.getContext('2d').getImageData(x, 40, 1, 1).data;
                return p[0] + ',' + p[1] + ',' + p[2];
                """, String.valueOf(gfn));
        return String.valueOf(rgb);
    }
}

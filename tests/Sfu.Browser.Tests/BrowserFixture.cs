using Microsoft.Playwright;

namespace Sfu.Browser.Tests;

/// <summary>
/// Debian's Chromium driven by Playwright: fake camera and microphone, loopback ICE allowed,
/// autoplay with sound allowed. Never downloads a browser; SFU_CHROMIUM overrides the path.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private static readonly string[] ChromiumArgs =
    [
        // Three fake cameras and microphones, so a device switch has somewhere to go.
        "--use-fake-device-for-media-stream=device-count=3",
        "--use-fake-ui-for-media-stream",
        // getDisplayMedia picks the (fake) screen without a picker.
        "--auto-select-desktop-capture-source=Entire screen",
        "--allow-loopback-in-peer-connection",
        "--autoplay-policy=no-user-gesture-required",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];

    private IPlaywright? playwright;
    private IBrowser? browser;

    public IBrowser Browser => browser ?? throw new InvalidOperationException("The browser is not started.");

    public async ValueTask InitializeAsync()
    {
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("SFU_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    /// <summary>A fresh context (own storage, own media devices): one per participant.</summary>
    public Task<IBrowserContext> NewContextAsync(int width = 960, int height = 600) => Browser.NewContextAsync(new BrowserNewContextOptions
    {
        Permissions = ["camera", "microphone"],
        ViewportSize = new ViewportSize { Width = width, Height = height },
    });

    public async ValueTask DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.CloseAsync();
        }
        playwright?.Dispose();
    }
}

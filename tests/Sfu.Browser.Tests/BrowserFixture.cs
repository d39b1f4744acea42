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
    private IBrowser? withoutDevices;

    public IBrowser Browser => browser ?? throw new InvalidOperationException("The browser is not started.");

    public async ValueTask InitializeAsync()
    {
        playwright = await Playwright.CreateAsync();
        browser = await LaunchAsync(ChromiumArgs);
    }

    /// <summary>
    /// A context in a second Chromium that has no fake devices: on this machine it finds no
    /// camera and no microphone, like a desktop without a webcam. Launched on first use.
    /// </summary>
    public async Task<IBrowserContext> NewContextWithoutDevicesAsync(int width = 960, int height = 600)
    {
        withoutDevices ??= await LaunchAsync([.. ChromiumArgs.Where(a => !a.StartsWith("--use-fake-device-for-media-stream", StringComparison.Ordinal))]);
        return await withoutDevices.NewContextAsync(ContextOptions(width, height));
    }

    /// <summary>
    /// A context in a Chromium of its own that accepts, besides the usual, TLS servers whose
    /// certificate's public key has the SHA-256 <paramref name="spkiSha256Base64"/>: a test's
    /// self-signed TURN-over-TLS server. Chromium checks a "turns:" server's certificate like a
    /// web server's (a self-signed one fails and the relay candidate never appears); the flag
    /// trusts that one key and nothing else. The browser closes with the context.
    /// </summary>
    public async Task<IBrowserContext> NewContextTrustingAsync(string spkiSha256Base64)
    {
        IBrowser trusting = await LaunchAsync([.. ChromiumArgs, "--ignore-certificate-errors-spki-list=" + spkiSha256Base64]);
        IBrowserContext context = await trusting.NewContextAsync(ContextOptions(960, 600));
        context.Close += (_, _) => _ = trusting.CloseAsync();
        return context;
    }

    /// <summary>A fresh context (own storage, own media devices): one per participant.</summary>
    public Task<IBrowserContext> NewContextAsync(int width = 960, int height = 600) => Browser.NewContextAsync(ContextOptions(width, height));

    public async ValueTask DisposeAsync()
    {
        foreach (IBrowser? launched in new[] { browser, withoutDevices })
        {
            if (launched is not null)
            {
                await launched.CloseAsync();
            }
        }
        playwright?.Dispose();
    }

    private static BrowserNewContextOptions ContextOptions(int width, int height) => new()
    {
        Permissions = ["camera", "microphone"],
        ViewportSize = new ViewportSize { Width = width, Height = height },
    };

    private Task<IBrowser> LaunchAsync(IEnumerable<string> args)
    {
        IPlaywright started = playwright ?? throw new InvalidOperationException("Playwright is not started.");
        return started.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("SFU_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = args,
        });
    }
}

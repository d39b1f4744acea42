using Microsoft.Playwright;

namespace Sfu.Browser.Tests;

/// <summary>One participant: its own browser context and page on the room page.</summary>
public sealed class BrowserParticipant : IMediaPage, IAsyncDisposable
{
    /// <summary>
    /// Counts the page's getUserMedia requests by kind (window.captureRequests) and passes them
    /// on unchanged: the tests can tell whether a device was ever asked for.
    /// </summary>
    private const string CaptureCounterScript = """
        (() => {
          const counts = { audio: 0, video: 0 };
          window.captureRequests = counts;
          const devices = navigator.mediaDevices;
          if (!devices) return;
          const original = devices.getUserMedia.bind(devices);
          devices.getUserMedia = (constraints) => {
            if (constraints?.audio) counts.audio++;
            if (constraints?.video) counts.video++;
            return original(constraints);
          };
        })();
        """;

    private readonly IBrowserContext context;

    private BrowserParticipant(string name, IBrowserContext context, IPage page)
    {
        Name = name;
        this.context = context;
        Page = page;
    }

    public string Name { get; }

    public IPage Page { get; }

    public Task<T> CallAsync<T>(string script, object? arg = null) => Page.EvaluateAsync<T>(script, arg);

    /// <summary>
    /// Opens a new context and goes straight to /room/{room}?name={name}{query} (query e.g. "&amp;mic=off").
    /// The camera captures 640×360 (two simulcast layers) unless the query names a size: the
    /// client's 1280×720 in three layers, times every publisher of a test, is more than two
    /// shared cores encode in real time.
    /// </summary>
    public static async Task<BrowserParticipant> JoinAsync(BrowserFixture browser, SfuServerFixture server, string room, string name, string query = "", int width = 960, int height = 600)
    {
        ArgumentNullException.ThrowIfNull(browser);
        return await OpenRoomAsync(await browser.NewContextAsync(width, height), server, room, name, query);
    }

    /// <summary>Like <see cref="JoinAsync(BrowserFixture, SfuServerFixture, string, string, string, int, int)"/>, in <paramref name="context"/> (which the participant closes).</summary>
    public static Task<BrowserParticipant> JoinInAsync(IBrowserContext context, SfuServerFixture server, string room, string name)
        => OpenRoomAsync(context, server, room, name, "");

    /// <summary>Like <see cref="JoinAsync(BrowserFixture, SfuServerFixture, string, string, string, int, int)"/>, with <paramref name="initScript"/> (a JavaScript statement) run in the page before the app.</summary>
    public static async Task<BrowserParticipant> JoinWithScriptAsync(BrowserFixture browser, SfuServerFixture server, string room, string name, string initScript)
    {
        ArgumentNullException.ThrowIfNull(browser);
        IBrowserContext context = await browser.NewContextAsync(960, 600);
        await context.AddInitScriptAsync(initScript);
        return await OpenRoomAsync(context, server, room, name, "");
    }

    /// <summary>Like <see cref="JoinAsync(BrowserFixture, SfuServerFixture, string, string, string, int, int)"/>, from a browser with no camera and no microphone.</summary>
    public static async Task<BrowserParticipant> JoinWithoutDevicesAsync(BrowserFixture browser, SfuServerFixture server, string room, string name)
    {
        ArgumentNullException.ThrowIfNull(browser);
        return await OpenRoomAsync(await browser.NewContextWithoutDevicesAsync(), server, room, name, "");
    }

    private static async Task<BrowserParticipant> OpenRoomAsync(IBrowserContext context, SfuServerFixture server, string room, string name, string query)
    {
        ArgumentNullException.ThrowIfNull(server);
        await context.AddInitScriptAsync(CaptureCounterScript);
        await context.AddInitScriptAsync($"({SdpCorpus.LogScript})()");
        IPage page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                TestContext.Current.SendDiagnosticMessage($"[{name}] console.{message.Type}: {message.Text}");
            }
        };
        string capture = query.Contains("video=", StringComparison.Ordinal) ? "" : "&video=640x360";
        await page.GotoAsync(server.Url($"/room/{Uri.EscapeDataString(room)}?name={Uri.EscapeDataString(name)}{query}{capture}"));
        return new BrowserParticipant(name, context, page);
    }

    /// <summary>Waits until the page's client has joined and its peer connection is connected.</summary>
    public Task WaitConnectedAsync(CancellationToken cancel)
        => Eventually.UntilAsync(ConnectionStateAsync, s => s == "connected", TimeSpan.FromSeconds(30), $"{Name} to connect", cancel);

    /// <summary>Our participant id (window.sfu.participantId).</summary>
    public async Task<string> ParticipantIdAsync() => await Page.EvaluateAsync<string?>("() => window.sfu?.participantId ?? null") ?? "";

    /// <summary>Chromium's totals over its remote video tracks: packets lost, packets received, NACKs sent.</summary>
    public async Task<(double Lost, double Received, double Nacks)> VideoReceptionAsync()
    {
        const string script = """
            async () => {
              const report = await window.sfu.pc.getStats();
              let lost = 0, received = 0, nacks = 0;
              report.forEach((s) => {
                if (s.type === 'inbound-rtp' && s.kind === 'video') { lost += s.packetsLost ?? 0; received += s.packetsReceived ?? 0; nacks += s.nackCount ?? 0; }
              });
              return [lost, received, nacks];
            }
            """;
        double[] totals = await Page.EvaluateAsync<double[]>(script);
        return (totals[0], totals[1], totals[2]);
    }

    /// <summary>How many times the page asked getUserMedia for <paramref name="kind"/> ("audio" or "video").</summary>
    public Task<int> CaptureRequestsAsync(string kind) => Page.EvaluateAsync<int>("kind => window.captureRequests?.[kind] ?? 0", kind);

    /// <summary>The tile of the named participant on this page.</summary>
    public ILocator Tile(string name) => Page.Locator($"[data-testid=participant-tile][data-name=\"{name}\"]");

    /// <summary>The status line's state word (data-state of connection-state).</summary>
    public async Task<string> ConnectionStateAsync()
        => await Page.GetByTestId("connection-state").GetAttributeAsync("data-state") ?? "";

    /// <summary>Closes the tab the way a user does: no Leave call, the page just goes away.</summary>
    public Task CloseTabAsync()
        => Page.CloseAsync(new PageCloseOptions { RunBeforeUnload = false }).WaitAsync(CloseDeadline);

    /// <summary>
    /// Closes the context, bounded: Playwright's close has no timeout of its own, and a renderer
    /// stuck under load would otherwise hold the test until its own timeout with no word of why.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await context.CloseAsync().WaitAsync(CloseDeadline);
        }
        catch (TimeoutException)
        {
            TestContext.Current.SendDiagnosticMessage($"[{Name}] the browser context did not close within {CloseDeadline.TotalSeconds} s");
        }
    }

    private static readonly TimeSpan CloseDeadline = TimeSpan.FromSeconds(20);
}

using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sfu.Browser.Tests.Firefox;

/// <summary>One participant in Firefox: its own window on the room page, driven over WebDriver BiDi.</summary>
public sealed class FirefoxParticipant : IMediaPage, IAsyncDisposable
{
    /// <summary>
    /// Headless Firefox has no screen to capture: getDisplayMedia answers with a fake camera
    /// stream instead, so a screen share still adds a track and renegotiates as a real one does.
    /// </summary>
    private const string FakeDisplayScript = """
        () => {
          const devices = navigator.mediaDevices;
          if (devices) devices.getDisplayMedia = () => devices.getUserMedia({ video: true });
        }
        """;

    private readonly FirefoxFixture firefox;
    private readonly string context;

    private FirefoxParticipant(string name, FirefoxFixture firefox, string context)
    {
        Name = name;
        this.firefox = firefox;
        this.context = context;
    }

    public string Name { get; }

    /// <summary>One encoding at 640×360: what the tests that are not about simulcast publish.</summary>
    public const string SingleEncoding = "&video=640x360&simulcast=off";

    /// <summary>
    /// Opens a new window and goes straight to /room/{room}?name={name}{query}{media}; by
    /// default the camera is captured at 640×360 and published in one encoding.
    /// <paramref name="preloadScript"/> (a function declaration), if given, runs in the page before the app.
    /// </summary>
    public static async Task<FirefoxParticipant> JoinAsync(FirefoxFixture firefox, SfuServerFixture server, string room, string name, string query = "", string media = SingleEncoding, string? preloadScript = null)
    {
        ArgumentNullException.ThrowIfNull(firefox);
        ArgumentNullException.ThrowIfNull(server);
        CancellationToken cancel = TestContext.Current.CancellationToken;
        string context = await firefox.NewWindowAsync(name, cancel);
        foreach (string script in new[] { FakeDisplayScript, SdpCorpus.LogScript, preloadScript }.OfType<string>())
        {
            await firefox.Bidi.SendAsync("script.addPreloadScript", new JsonObject { ["functionDeclaration"] = script, ["contexts"] = new JsonArray(context) }, cancel);
        }

        await firefox.Bidi.SendAsync(
            "browsingContext.navigate",
            new JsonObject { ["context"] = context, ["url"] = server.Url($"/room/{Uri.EscapeDataString(room)}?name={Uri.EscapeDataString(name)}{query}{media}"), ["wait"] = "complete" },
            cancel);
        return new FirefoxParticipant(name, firefox, context);
    }

    /// <summary>
    /// Runs <paramref name="script"/> in the page with a user activation (as a click would
    /// give), its argument and result passed as JSON.
    /// </summary>
    public async Task<T> CallAsync<T>(string script, object? arg = null)
    {
        string wrapper = $"async (json) => JSON.stringify((await ({script})(JSON.parse(json))) ?? null)";
        JsonElement result = await firefox.Bidi.SendAsync(
            "script.callFunction",
            new JsonObject
            {
                ["functionDeclaration"] = wrapper,
                ["arguments"] = new JsonArray(new JsonObject { ["type"] = "string", ["value"] = JsonSerializer.Serialize(arg) }),
                ["target"] = new JsonObject { ["context"] = context },
                ["awaitPromise"] = true,
                ["userActivation"] = true,
            },
            TestContext.Current.CancellationToken);
        if (result.GetProperty("type").GetString() == "exception")
        {
            string text = result.GetProperty("exceptionDetails").GetProperty("text").GetString() ?? "";
            throw new InvalidOperationException($"[{Name}] script failed: {text}");
        }

        string json = result.GetProperty("result").GetProperty("value").GetString() ?? "null";
        return JsonSerializer.Deserialize<T>(json)!;
    }

    /// <summary>Clicks the element with data-testid <paramref name="testId"/>.</summary>
    public Task ClickAsync(string testId) => CallAsync<bool>("id => { document.querySelector(`[data-testid=${id}]`).click(); return true; }", testId);

    /// <summary>An attribute of the first element matching <paramref name="selector"/>, or null.</summary>
    public Task<string?> AttributeAsync(string selector, string attribute)
        => CallAsync<string?>("([s, a]) => document.querySelector(s)?.getAttribute(a) ?? null", new[] { selector, attribute });

    /// <summary>The status line's state word (data-state of connection-state).</summary>
    public async Task<string> ConnectionStateAsync() => await AttributeAsync("[data-testid=connection-state]", "data-state") ?? "";

    /// <summary>Waits until the page's client has joined and its peer connection is connected.</summary>
    public Task WaitConnectedAsync(CancellationToken cancel)
        => Eventually.UntilAsync(ConnectionStateAsync, s => s == "connected", TimeSpan.FromSeconds(30), $"{Name} to connect", cancel);

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await firefox.Bidi.SendAsync("browsingContext.close", new JsonObject { ["context"] = context, ["promptUnload"] = false }, quick.Token);
        }
        catch (InvalidOperationException)
        {
            // Firefox is gone already; the fixture cleans up.
        }
    }
}

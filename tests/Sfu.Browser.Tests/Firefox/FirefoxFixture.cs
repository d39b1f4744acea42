using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Sfu.Browser.Tests.Firefox;

/// <summary>
/// Debian's Firefox ESR (/usr/bin/firefox-esr, SFU_FIREFOX overrides), headless, driven over
/// WebDriver BiDi by <see cref="BidiConnection"/>: no driver binary and nothing downloaded.
/// Its profile gives fake camera and microphone without a prompt, lets ICE gather loopback
/// candidates (the tests run in a namespace that has only lo) and lets media autoplay.
/// One Firefox per test class; each participant gets its own window (a background tab is
/// hidden, and the room page pauses the video of hidden pages by design).
/// </summary>
public sealed partial class FirefoxFixture : IAsyncLifetime
{
    private static readonly string[] Preferences =
    [
        "media.navigator.streams.fake", "true",
        "media.navigator.permission.disabled", "true",
        "media.navigator.permission.fake", "true",
        "media.peerconnection.ice.loopback", "true",
        "media.autoplay.default", "0",
        "media.autoplay.blocking_policy", "0",
        "browser.shell.checkDefaultBrowser", "false",
        "browser.startup.homepage_override.mstone", "\"ignore\"",
        "datareporting.policy.dataSubmissionEnabled", "false",
        "toolkit.telemetry.reportingpolicy.firstRun", "false",
        "app.update.disabledForTesting", "true",
        "network.captive-portal-service.enabled", "false",
        "browser.safebrowsing.malware.enabled", "false",
        "browser.safebrowsing.phishing.enabled", "false",
        "extensions.update.enabled", "false",
        "dom.min_background_timeout_value", "4",
    ];

    private readonly BidiConnection bidi = new();
    private readonly Dictionary<string, string> contextNames = [];
    private Process? process;
    private string? profile;

    /// <summary>The Firefox version that answered, e.g. "153.8.0".</summary>
    public string Version { get; private set; } = "";

    internal BidiConnection Bidi => bidi;

    public async ValueTask InitializeAsync()
    {
        string executable = Environment.GetEnvironmentVariable("SFU_FIREFOX") ?? "/usr/bin/firefox-esr";
        profile = Directory.CreateTempSubdirectory("sfu-firefox-").FullName;
        var prefs = new System.Text.StringBuilder();
        for (int i = 0; i < Preferences.Length; i += 2)
        {
            prefs.Append("user_pref(\"").Append(Preferences[i]).Append("\", ").Append(Preferences[i + 1]).Append(");\n");
        }

        await File.WriteAllTextAsync(Path.Combine(profile, "user.js"), prefs.ToString());
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "--headless", "--no-remote", "--profile", profile, "--remote-debugging-port=0", "about:blank" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["MOZ_CRASHREPORTER_DISABLE"] = "1";
        process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();

        // Firefox prints where its BiDi server listens; port 0 lets it pick a free one.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Uri? endpoint = null;
        while (endpoint is null)
        {
            string? line = await process.StandardError.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException("Firefox exited before its WebDriver BiDi server started.");
            Match match = ListeningLine().Match(line);
            if (match.Success)
            {
                endpoint = new Uri(match.Groups[1].Value + "/session");
            }
        }

        _ = DrainAsync(process.StandardError);
        await bidi.ConnectAsync(endpoint, timeout.Token);
        bidi.EventReceived += OnEvent;
        JsonElement session = await bidi.SendAsync("session.new", new JsonObject { ["capabilities"] = new JsonObject() }, timeout.Token);
        Version = session.GetProperty("capabilities").GetProperty("browserVersion").GetString() ?? "";
        await bidi.SendAsync("session.subscribe", new JsonObject { ["events"] = new JsonArray("log.entryAdded") }, timeout.Token);
    }

    /// <summary>A new top-level window (a browsing context of its own, visible, not a background tab).</summary>
    internal async Task<string> NewWindowAsync(string name, CancellationToken cancel)
    {
        JsonElement created = await bidi.SendAsync("browsingContext.create", new JsonObject { ["type"] = "window" }, cancel);
        string context = created.GetProperty("context").GetString() ?? throw new InvalidOperationException("Firefox created no window.");
        lock (contextNames)
        {
            contextNames[context] = name;
        }

        return context;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (process is { HasExited: false })
            {
                using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await ((Task)bidi.SendAsync("browser.close", [], quick.Token)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        finally
        {
            await bidi.DisposeAsync();
            if (process is not null)
            {
                if (!process.WaitForExit(5000))
                {
                    process.Kill(entireProcessTree: true);
                }

                process.Dispose();
            }

            if (profile is not null)
            {
                try
                {
                    Directory.Delete(profile, recursive: true);
                }
                catch (IOException)
                {
                    // A file Firefox still held; the temporary folder is cleaned up later.
                }
            }
        }
    }

    private static async Task DrainAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is not null)
        {
        }
    }

    /// <summary>Page console errors and warnings go to the test's diagnostics, named by participant.</summary>
    private void OnEvent(string method, JsonElement parameters)
    {
        if (method != "log.entryAdded")
        {
            return;
        }

        string level = parameters.TryGetProperty("level", out JsonElement l) ? l.GetString() ?? "" : "";
        if (level is not ("error" or "warn"))
        {
            return;
        }

        string context = parameters.TryGetProperty("source", out JsonElement source) && source.TryGetProperty("context", out JsonElement c) ? c.GetString() ?? "" : "";
        string name;
        lock (contextNames)
        {
            name = contextNames.GetValueOrDefault(context, "firefox");
        }

        string text = parameters.TryGetProperty("text", out JsonElement t) ? t.GetString() ?? "" : "";
        TestContext.Current.SendDiagnosticMessage($"[{name}] console.{level}: {text}");
    }

    [GeneratedRegex(@"WebDriver BiDi listening on (ws://\S+)")]
    private static partial Regex ListeningLine();
}

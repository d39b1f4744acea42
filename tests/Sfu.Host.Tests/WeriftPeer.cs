using System.Diagnostics;
using System.Text.Json;

namespace Sfu.Host.Tests;

/// <summary>
/// Runs a peer script of tests/interop: by default werift-peer.mjs, a participant on werift, a
/// WebRTC stack we did not write; also ndc-peer.mjs (libdatachannel) and wrtc-peer.mjs
/// (libwebrtc), which print the same events. Collects the JSON events it prints.
/// </summary>
public sealed class WeriftPeer : IAsyncDisposable
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    public const string WeriftScript = "werift-peer.mjs";
    public const string LibdatachannelScript = "ndc-peer.mjs";
    public const string LibwebrtcScript = "wrtc-peer.mjs";

    private readonly Process _process;
    private readonly List<JsonElement> _events = [];
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Text.StringBuilder _stderr = new();

    private WeriftPeer(Process process)
    {
        _process = process;
    }

    public static WeriftPeer Start(string baseUrl, string room, string name, int expectRemotes, int durationMs = 15000, int lingerMs = 0, string? setup = null, string? token = null, string script = WeriftScript, params string[] extraArgs)
    {
        script = Path.Combine(RepoRoot(), "tests", "interop", script);
        var info = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add($"--url={baseUrl}");
        info.ArgumentList.Add($"--room={room}");
        info.ArgumentList.Add($"--name={name}");
        info.ArgumentList.Add($"--expectRemotes={expectRemotes}");
        info.ArgumentList.Add($"--duration={durationMs}");
        if (setup is not null)
        {
            info.ArgumentList.Add($"--setup={setup}");
        }

        if (token is not null)
        {
            info.ArgumentList.Add($"--token={token}");
        }

        if (lingerMs > 0)
        {
            info.ArgumentList.Add($"--linger={lingerMs}");
        }

        foreach (string arg in extraArgs)
        {
            info.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var peer = new WeriftPeer(process);
        process.OutputDataReceived += (_, e) => peer.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (peer._stderr)
                {
                    peer._stderr.AppendLine(e.Data);
                }
            }
        };
        process.Exited += (_, _) => peer._exited.TrySetResult();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return peer;
    }

    public IReadOnlyList<JsonElement> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public string Diagnostics
    {
        get
        {
            lock (_stderr)
            {
                return string.Join('\n', Events.Where(e => e.GetProperty("event").GetString() != "sdp").Select(e => e.GetRawText())) + "\nstderr:\n" + _stderr;
            }
        }
    }

    /// <summary>Every description the peer applied, in order (peers that print "sdp" events: ndc-peer.mjs, wrtc-peer.mjs).</summary>
    public IReadOnlyList<(string Side, string Type, string Sdp)> Descriptions =>
        [.. Events.Where(e => e.GetProperty("event").GetString() == "sdp")
            .Select(e => (e.GetProperty("side").GetString() ?? "", e.GetProperty("type").GetString() ?? "", e.GetProperty("sdp").GetString() ?? ""))];

    /// <summary>Waits until the peer has printed an event named <paramref name="name"/>.</summary>
    public async Task WaitForEventAsync(string name, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!Events.Any(e => e.GetProperty("event").GetString() == name))
        {
            if (DateTime.UtcNow > deadline || _exited.Task.IsCompleted)
            {
                throw new TimeoutException($"werift peer printed no {name} event:\n" + Diagnostics);
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Waits for the peer to finish and returns its final report.</summary>
    public async Task<WeriftReport> WaitForReportAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _exited.Task.WaitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("werift peer did not finish in time:\n" + Diagnostics);
        }

        JsonElement report = Events.LastOrDefault(e => e.GetProperty("event").GetString() == "report");
        if (report.ValueKind == JsonValueKind.Undefined)
        {
            throw new InvalidOperationException("werift peer printed no report:\n" + Diagnostics);
        }

        return report.Deserialize<WeriftReport>(JsonOptions)
            ?? throw new InvalidOperationException("werift peer printed an empty report:\n" + Diagnostics);
    }

    private void OnLine(string? line)
    {
        if (string.IsNullOrWhiteSpace(line) || line[0] != '{')
        {
            return;
        }

        using var doc = JsonDocument.Parse(line);
        lock (_events)
        {
            _events.Add(doc.RootElement.Clone());
        }
    }

    internal static string RepoRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "SfuRouter.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("SfuRouter.sln not found above " + AppContext.BaseDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}

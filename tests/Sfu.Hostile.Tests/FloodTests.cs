using System.Diagnostics;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sfu.Host.Tests;

namespace Sfu.Hostile.Tests;

/// <summary>
/// One client calling as fast as it can: media-state changes are rationed per identity and
/// only those accepted reach the room; thousands of refused calls leave a bounded, quiet log
/// (no Error, no stack trace) and tell the client the reason, never a stack trace.
/// </summary>
public sealed class FloodTests
{
    private const int Burst = 10;
    private const double PerSecond = 5;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact(Timeout = 90_000)]
    public async Task A_media_state_flood_is_refused_past_the_allowance_and_the_room_hears_only_what_was_accepted()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync($"--Sfu:Limits:MediaStateBurst={Burst}", $"--Sfu:Limits:MediaStatesPerSecond={PerSecond}");
        await using MeetingClient flooder = await MeetingClient.ConnectAsync(server);
        (string flooderId, _) = await flooder.JoinAsync("calm", "Flooder");
        await using MeetingClient observer = await MeetingClient.ConnectAsync(server);
        await observer.JoinAsync("calm", "Observer");

        const int Calls = 2000;
        int accepted = 0;
        bool lastAcceptedMic = true;
        string? reason = null;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < Calls; i++)
        {
            bool mic = accepted % 2 == 1; // every accepted call a change, from the default (on) first
            try
            {
                await flooder.Connection.InvokeAsync("SetMediaState", mic, true, false, Cancel);
                accepted++;
                lastAcceptedMic = mic;
            }
            catch (HubException e)
            {
                reason ??= e.Message;
            }
        }

        double seconds = clock.Elapsed.TotalSeconds;
        Assert.InRange(accepted, Burst, Burst + (int)Math.Ceiling(seconds * PerSecond) + 1);
        Assert.Contains("Slow down: at most 10 media-state changes at once, then 5 a second", reason, StringComparison.Ordinal);
        await Poll.UntilAsync(() => observer.MediaStates.Count(s => s.GetProperty("participantId").GetString() == flooderId) >= accepted, "the accepted changes to arrive");
        await Task.Delay(300, Cancel); // nothing more is on its way
        int relayed = observer.MediaStates.Count(s => s.GetProperty("participantId").GetString() == flooderId);
        Assert.Equal(accepted, relayed);
        Assert.Equal(lastAcceptedMic, observer.MediaStates.Last().GetProperty("mic").GetBoolean());

        // The connection still works: a chat line goes through.
        await flooder.Connection.InvokeAsync("SendChat", "still here", Cancel);
    }

    [Fact(Timeout = 120_000)]
    public async Task Ten_thousand_refused_calls_log_a_few_quiet_lines_and_no_stack_trace_reaches_the_client()
    {
        var capture = new LogCapture();
        await using SfuTestServer server = await SfuTestServer.StartAsync(
            s => s.AddSingleton<ILoggerProvider>(capture), "--Logging:LogLevel:Default=Information", "--Sfu:Limits:RefusalLogsPerConnection=20");
        await using MeetingClient client = await MeetingClient.ConnectAsync(server);

        var reasons = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < 10_000; i++)
        {
            // Not in a room: each call is a client mistake.
            reasons.Add(await HubErrors.RefusedAsync(() => client.Connection.InvokeAsync("SendChat", "hello", Cancel)));
        }

        string reason = Assert.Single(reasons);
        Assert.Contains("Not in a room: call Join first.", reason, StringComparison.Ordinal);
        LogCapture.Entry[] entries = [.. capture.Entries];
        Assert.DoesNotContain(entries, e => e.Level >= LogLevel.Error);
        Assert.DoesNotContain(entries, e => e.Exception is not null);
        LogCapture.Entry[] refusals = [.. entries.Where(e => e.Category.EndsWith("HubCallLogging", StringComparison.Ordinal))];
        Assert.Equal(21, refusals.Length); // 20 refusals, then one line saying the rest are only counted
        Assert.All(refusals, e => Assert.Equal(LogLevel.Information, e.Level));
        Assert.Contains("further refusals are counted", refusals[^1].Message, StringComparison.Ordinal);
        Assert.True(entries.Sum(e => e.Message.Length) < 20_000, $"{entries.Sum(e => e.Message.Length)} characters of log");
    }
}

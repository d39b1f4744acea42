using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Sfu.Core;
using Sfu.Core.Routing;

namespace Sfu.Browser.Tests;

/// <summary>
/// A subscriber on a narrow downlink: the kernel's traffic control (htb, a u32 filter on its UDP
/// port, tbf) holds what the server sends that one Chromium to 600 kbit/s (less when a loaded
/// machine keeps the camera's rate low), in the test's
/// private network namespace. Its transport-wide feedback shows the queue, its estimate falls
/// under the limit, and the allocator pauses the video it cannot carry while its audio keeps
/// coming without loss; an unshaped subscriber in the same room keeps the full video. Once the
/// limit is lifted, probes find the room again and the video comes back.
/// </summary>
public sealed class ShapedDownlinkTests(BrowserFixture browser)
{
    private const string StatsScript = """
        async () => {
          const pc = window.sfu?.pc;
          if (!pc) return { bytes: 0, audioLost: 0, audioReceived: 0, frames: 0 };
          const report = await pc.getStats();
          let bytes = 0, audioLost = 0, audioReceived = 0, frames = 0;
          report.forEach((s) => {
            if (s.type !== 'inbound-rtp') return;
            bytes += s.bytesReceived ?? 0;
            if (s.kind === 'audio') { audioLost += s.packetsLost ?? 0; audioReceived += s.packetsReceived ?? 0; }
            if (s.kind === 'video') frames += s.framesDecoded ?? 0;
          });
          return { bytes, audioLost, audioReceived, frames };
        }
        """;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// <summary>Three browsers starting on a loaded machine take longer than the loop does.</summary>
    private static readonly TimeSpan JoinDeadline = TimeSpan.FromSeconds(45);

    [Fact(Timeout = 180_000, Skip = "Does not pass yet: under tc's tbf at 100-110 kbit/s (half of what the camera sends here) the queue stays full and delivers about half its configured rate, so with the video paused the subscriber's two audio streams still lose about a quarter of their packets and its estimate sinks to the 50 kbit/s floor")]
    public async Task A_subscriber_on_a_narrow_downlink_gets_its_video_paused_and_keeps_its_audio_while_another_keeps_full_video()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        var server = new SfuServerFixture();
        await server.InitializeAsync();
        bool shaped = false;
        try
        {
            var engine = server.Services.GetRequiredService<SfuEngine>();
            await using BrowserParticipant ada = await BrowserParticipant.JoinAsync(browser, server, "shaped-room", "Ada", "&simulcast=off");
            await using BrowserParticipant bob = await BrowserParticipant.JoinAsync(browser, server, "shaped-room", "Bob", "&camera=off");
            await using BrowserParticipant cy = await BrowserParticipant.JoinAsync(browser, server, "shaped-room", "Cy", "&camera=off");
            await Eventually.UntilAsync(bob.CountDecodingRemoteVideoAsync, c => c == 1, JoinDeadline, "Bob to decode Ada's camera", cancel);
            await Eventually.UntilAsync(cy.CountDecodingRemoteVideoAsync, c => c == 1, JoinDeadline, "Cy to decode Ada's camera", cancel);

            Room room = engine.Rooms.Find("shaped-room")!;
            Participant bobAtServer = room.Participants.Single(p => p.DisplayName == "Bob");
            Participant cyAtServer = room.Participants.Single(p => p.DisplayName == "Cy");
            Producer camera = room.Participants.Single(p => p.DisplayName == "Ada").Producers.Single(p => p.Kind == MediaKind.Video);

            // A limit the camera does not fit in but the audio does: 600 kbit/s, or half of what
            // the camera sends when a loaded machine keeps Chromium's encoder lower than that.
            long video = await Eventually.UntilAsync(() => Task.FromResult(camera.Layers[0].Bitrate), b => b >= 200_000, TimeSpan.FromSeconds(30), "Ada's camera to send 200 kbit/s", cancel);
            long limit = Math.Clamp(video / 2, 100_000, 600_000);
            int port = new IPEndPoint(IPAddress.Any, 0).Create(bobAtServer.Transport.RemoteAddress!) is IPEndPoint bobEndpoint ? bobEndpoint.Port : 0;
            Shape(port, limit);
            shaped = true;
            Stats before = await StatsAsync(bob);

            // Within the deadline Bob's estimate is below the limit and his video is off for
            // bandwidth, while Cy, unshaped, still has all of it.
            await Eventually.UntilAsync(() => Task.FromResult(Bandwidth(bobAtServer, camera)), b => b == "paused", Deadline, "Bob's video to be paused for bandwidth", cancel);
            Assert.InRange(bobAtServer.DownlinkEstimate, 1, limit);
            Stats paused = await StatsAsync(bob);
            await Task.Delay(TimeSpan.FromSeconds(4), cancel);
            Stats later = await StatsAsync(bob);

            double seconds = (later.At - paused.At).TotalSeconds;
            double received = (later.Bytes - paused.Bytes) * 8 / seconds;
            double audioPackets = later.AudioReceived - before.AudioReceived;
            double audioLost = later.AudioLost - before.AudioLost;
            string numbers = $"limit {limit}, camera {video}, Bob's estimate {bobAtServer.DownlinkEstimate}, allocated {bobAtServer.AllocatedBitrate}, "
                + $"received {received:0} bit/s while paused, audio {audioPackets} received {audioLost} lost";
            TestContext.Current.SendDiagnosticMessage(numbers);
            Assert.True(received < limit, numbers);
            Assert.True(audioPackets >= 50 * seconds * 0.5, numbers);
            Assert.True(audioLost <= 0.02 * audioPackets, numbers);
            Assert.Equal("full", Bandwidth(cyAtServer, camera));

            // Operators see the same: the admin API's participant detail and the metrics.
            using var http = new HttpClient();
            http.DefaultRequestHeaders.Add("X-Admin-Key", SfuServerFixture.AdminKey);
            using JsonDocument detail = JsonDocument.Parse(await http.GetStringAsync(new Uri(server.Url("/api/admin/rooms/shaped-room")), cancel));
            JsonElement[] people = [.. detail.RootElement.GetProperty("participants").EnumerateArray()];
            JsonElement bobDetail = people.Single(p => p.GetProperty("displayName").GetString() == "Bob");
            JsonElement cyDetail = people.Single(p => p.GetProperty("displayName").GetString() == "Cy");
            Assert.InRange(bobDetail.GetProperty("downlinkEstimate").GetInt64(), 1, limit);
            Assert.Equal("paused", VideoBandwidth(bobDetail, camera));
            Assert.Equal("full", VideoBandwidth(cyDetail, camera));
            string metrics = await http.GetStringAsync(new Uri(server.Url("/metrics")), cancel);
            Assert.Contains("sfu_bwe_pauses", metrics, StringComparison.Ordinal);
            Assert.Contains("sfu_bwe_downlink_estimate", metrics, StringComparison.Ordinal);

            Assert.Equal(1, await cy.CountDecodingRemoteVideoAsync());
            Assert.Equal(1, await bob.CountReceivingRemoteAudioAsync());

            // The limit lifts: a probe shows the path carries the camera again, and it resumes.
            Unshape();
            shaped = false;
            await Eventually.UntilAsync(() => Task.FromResult(Bandwidth(bobAtServer, camera)), b => b == "full", Deadline, $"Bob's video to come back ({numbers})", cancel);
            await Eventually.UntilAsync(bob.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, "Bob to decode Ada's camera again", cancel);
        }
        finally
        {
            if (shaped)
            {
                Unshape();
            }

            await server.DisposeAsync();
        }
    }

    private static string? VideoBandwidth(JsonElement participant, Producer camera)
        => participant.GetProperty("subscriptions").EnumerateArray().Single(s => s.GetProperty("trackId").GetString() == camera.TrackId).GetProperty("bandwidth").GetString();

    /// <summary>The bandwidth state of <paramref name="subscriber"/>'s copy of <paramref name="camera"/>.</summary>
    private static string Bandwidth(Participant subscriber, Producer camera)
    {
        DownTrack video = subscriber.DownTracks.Single(d => d.Source == camera);
        return video.IsPausedForBandwidth ? "paused" : video.IsReducedForBandwidth ? "reduced" : "full";
    }

    private sealed record Stats(DateTime At, double Bytes, double AudioLost, double AudioReceived, double Frames);

    private static async Task<Stats> StatsAsync(BrowserParticipant page)
    {
        JsonElement s = await page.CallAsync<JsonElement>(StatsScript);
        return new Stats(DateTime.UtcNow, s.GetProperty("bytes").GetDouble(), s.GetProperty("audioLost").GetDouble(), s.GetProperty("audioReceived").GetDouble(), s.GetProperty("frames").GetDouble());
    }

    /// <summary>
    /// Everything toward UDP port <paramref name="port"/> on loopback goes through one htb class of
    /// <paramref name="bitsPerSecond"/> with a tbf queue of at most 500 ms; the rest of lo is not
    /// classified and passes as before (htb's default 0).
    /// </summary>
    private static void Shape(int port, long bitsPerSecond)
    {
        Assert.True(port > 0, "Bob's media address is not known");
        Tc("qdisc add dev lo root handle 1: htb");
        Tc($"class add dev lo parent 1: classid 1:10 htb rate {bitsPerSecond / 1000}kbit ceil {bitsPerSecond / 1000}kbit");
        Tc($"qdisc add dev lo parent 1:10 handle 10: tbf rate {bitsPerSecond / 1000}kbit burst 4kb latency 500ms");
        Tc($"filter add dev lo parent 1: protocol ip prio 1 u32 match ip protocol 17 0xff match ip dport {port} 0xffff flowid 1:10");
    }

    private static void Unshape() => Tc("qdisc del dev lo root");

    private static void Tc(string arguments)
    {
        using Process tc = Process.Start(new ProcessStartInfo("tc", arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        string error = tc.StandardError.ReadToEnd();
        tc.WaitForExit(5_000);
        Assert.True(tc.ExitCode == 0, $"tc {arguments}: {error} (the test needs root and its own network namespace)");
    }
}

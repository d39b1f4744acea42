using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Sfu.Core;
using Sfu.Core.Diagnostics;

namespace Sfu.Browser.Tests;

/// <summary>
/// Chromium's own send-side estimate of its uplink to us (GoogCC) runs on the transport-wide
/// feedback we send it: on loopback, a simulcast publisher finds the room for both of its
/// layers at full size.
/// </summary>
public sealed class UplinkEstimateTests(SfuServerFixture server, BrowserFixture browser)
{
    /// <summary>Both layers of a 640×360 camera at their maxBitrate (150 + 500 kbit/s, the web client's) fit under it.</summary>
    private const double EnoughForBothLayers = 650_000;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// <summary>The nominated candidate pair's availableOutgoingBitrate and, per rid, bytesSent, frameWidth and qualityLimitationReason.</summary>
    private const string PublisherScript = """
        async () => {
          const report = await window.sfu.pc.getStats();
          let estimate = 0;
          const layers = [];
          report.forEach((s) => {
            if (s.type === 'candidate-pair' && s.nominated && s.availableOutgoingBitrate) estimate = s.availableOutgoingBitrate;
            if (s.type === 'outbound-rtp' && s.kind === 'video') layers.push({ rid: s.rid ?? '', bytes: s.bytesSent ?? 0, width: s.frameWidth ?? 0, limitation: s.qualityLimitationReason ?? '' });
          });
          return { estimate, layers };
        }
        """;

    [Fact(Timeout = 90_000)]
    public async Task A_simulcast_publishers_estimate_of_its_uplink_rises_until_its_top_layer_sends_at_full_size()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        SfuEngine engine = server.Services.GetRequiredService<SfuEngine>();
        long feedbacksBefore = engine.Counters.TransportFeedbacksSent;
        await using BrowserParticipant ada = await BrowserParticipant.JoinAsync(browser, server, "uplink-estimate", "Ada", "&mic=off&video=640x360");
        await using BrowserParticipant lea = await BrowserParticipant.JoinAsync(browser, server, "uplink-estimate", "Lea", "&camera=off&mic=off", 1280, 720);
        await Eventually.UntilAsync(lea.InboundVideoAsync, v => v?.FramesDecoded > 0, TimeSpan.FromSeconds(25), "Lea to decode Ada", cancel);

        // Lea shows Ada large: the server wants the top layer, so dynacast keeps it on.
        await lea.ResizeRemoteVideoAsync(1280, 720);

        // Once a second: Chromium's estimate, and what each layer sent since the last reading.
        var clock = Stopwatch.StartNew();
        var trace = new List<string>();
        Dictionary<string, double> lastBytes = [];
        bool reached = false;
        while (!reached && clock.Elapsed < Deadline)
        {
            await Task.Delay(1000, cancel);
            JsonElement sample = await ada.CallAsync<JsonElement>(PublisherScript);
            double estimate = sample.GetProperty("estimate").GetDouble();
            var row = new List<string> { $"{clock.Elapsed.TotalSeconds:0}s {estimate / 1000:0}k" };
            bool topSends = false;
            foreach (JsonElement layer in sample.GetProperty("layers").EnumerateArray())
            {
                string rid = layer.GetProperty("rid").GetString() ?? "";
                double bytes = layer.GetProperty("bytes").GetDouble();
                double width = layer.GetProperty("width").GetDouble();
                bool rising = lastBytes.TryGetValue(rid, out double before) && bytes > before;
                row.Add($"{rid} {(rising ? (bytes - before) * 8 / 1000 : 0):0}k {width}w {layer.GetProperty("limitation").GetString()}");
                lastBytes[rid] = bytes;
                topSends |= rid == "f" && width == 640 && rising;
            }

            trace.Add(string.Join(' ', row));
            reached = topSends && estimate >= EnoughForBothLayers;
        }

        string numbers = $"{string.Join(" | ", trace)}; feedbacks sent {engine.Counters.TransportFeedbacksSent - feedbacksBefore}";
        TestContext.Current.SendDiagnosticMessage(numbers);
        Assert.True(reached, $"Ada's estimate did not reach {EnoughForBothLayers / 1000} kbit/s with layer f sending 640 wide within {Deadline.TotalSeconds} s: {numbers}");
    }
}

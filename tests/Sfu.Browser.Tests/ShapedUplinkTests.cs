using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Sfu.Bots;
using Sfu.Core;
using Sfu.Core.Routing;

namespace Sfu.Browser.Tests;

/// <summary>
/// A publisher on a narrow uplink: the kernel holds what one Chromium sends the server (UDP
/// from its port, htb + u32 + tbf in the test's private namespace) to 500 kbit/s. Chromium's
/// own congestion control runs on the transport-wide feedback we send it, so its estimate and
/// its sending rate fall under the limit, and the subscriber keeps decoding.
/// </summary>
public sealed class ShapedUplinkTests(BrowserFixture browser)
{
    private const long Limit = 500_000;

    /// <summary>Chromium's estimate, and the bytes its camera has sent (all layers) so far.</summary>
    private const string PublisherScript = """
        async () => {
          const report = await window.sfu.pc.getStats();
          let estimate = 0, bytes = 0;
          report.forEach((s) => {
            if (s.type === 'candidate-pair' && s.nominated && s.availableOutgoingBitrate) estimate = s.availableOutgoingBitrate;
            if (s.type === 'outbound-rtp' && s.kind === 'video') bytes += s.bytesSent ?? 0;
          });
          return { estimate, bytes };
        }
        """;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    [Fact(Timeout = 180_000)]
    public async Task A_publisher_on_a_500_kbit_uplink_sends_under_the_limit_within_ten_seconds_and_its_subscriber_keeps_decoding()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        var server = new SfuServerFixture();
        await server.InitializeAsync();
        LoopbackShaper? shaper = null;
        try
        {
            var engine = server.Services.GetRequiredService<SfuEngine>();
            await using BrowserParticipant ada = await BrowserParticipant.JoinAsync(browser, server, "shaped-uplink", "Ada", "&mic=off&video=1280x720");
            await using BrowserParticipant lea = await BrowserParticipant.JoinAsync(browser, server, "shaped-uplink", "Lea", "&camera=off&mic=off", 1280, 720);
            await Eventually.UntilAsync(lea.InboundVideoAsync, v => v?.FramesDecoded > 0, Deadline, "Lea to decode Ada", cancel);
            await lea.ResizeRemoteVideoAsync(1280, 720);

            // Ada sends well over the limit before it is set, or the test shows nothing.
            (double estimate, double rate) unshaped = await Eventually.UntilAsync(() => SendingAsync(ada, cancel), s => s.Rate >= Limit * 3 / 2, Deadline, $"Ada to send {Limit * 3 / 2000} kbit/s", cancel);
            Participant adaAtServer = engine.Rooms.Find("shaped-uplink")!.Participants.Single(p => p.DisplayName == "Ada");
            int port = new IPEndPoint(IPAddress.Any, 0).Create(adaAtServer.Transport.RemoteAddress!) is IPEndPoint adaEndpoint ? adaEndpoint.Port : 0;
            Assert.True(port > 0, "Ada's media address is not known");
            shaper = LoopbackShaper.Create();
            shaper.LimitFrom(port, Limit);
            DateTime shapedAt = DateTime.UtcNow;

            // Within 10 s Chromium's estimate of its uplink is under the limit, and so is what it sends.
            (double Estimate, double Rate) shaped = await Eventually.UntilAsync(() => SendingAsync(ada, cancel), s => s.Estimate > 0 && s.Estimate < Limit && s.Rate < Limit, TimeSpan.FromSeconds(10), $"Ada's estimate and rate to fall under {Limit / 1000} kbit/s (before: estimate {unshaped.estimate:0}, rate {unshaped.rate:0})", cancel);
            double fellAfter = (DateTime.UtcNow - shapedAt).TotalSeconds;

            // Lea keeps decoding Ada through it.
            double framesBefore = (await lea.InboundVideoAsync())?.FramesDecoded ?? 0;
            await Task.Delay(TimeSpan.FromSeconds(3), cancel);
            double framesAfter = (await lea.InboundVideoAsync())?.FramesDecoded ?? 0;
            string numbers = $"before: estimate {unshaped.estimate:0}, rate {unshaped.rate:0}; shaped: estimate {shaped.Estimate:0}, rate {shaped.Rate:0} after {fellAfter:0.0} s; Lea decoded {framesAfter - framesBefore} frames in 3 s; queue: {shaper.StatisticsFrom(port)}";
            TestContext.Current.SendDiagnosticMessage(numbers);
            if (Environment.GetEnvironmentVariable("SFU_SHAPED_LOG") is { Length: > 0 } log)
            {
                File.AppendAllText(log, $"{DateTime.UtcNow:HH:mm:ss.f} uplink {numbers}\n");
            }

            Assert.True(framesAfter > framesBefore, numbers);
        }
        finally
        {
            shaper?.Dispose();
            await server.DisposeAsync();
        }
    }

    /// <summary>Chromium's estimate and its camera's sending rate over one second (bit/s).</summary>
    private static async Task<(double Estimate, double Rate)> SendingAsync(BrowserParticipant page, CancellationToken cancel)
    {
        JsonElement first = await page.CallAsync<JsonElement>(PublisherScript);
        await Task.Delay(1000, cancel);
        JsonElement second = await page.CallAsync<JsonElement>(PublisherScript);
        return (second.GetProperty("estimate").GetDouble(), (second.GetProperty("bytes").GetDouble() - first.GetProperty("bytes").GetDouble()) * 8);
    }
}

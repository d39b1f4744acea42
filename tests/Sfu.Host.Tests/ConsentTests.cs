using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Sfu.Core;
using Sfu.Core.Dtls;
using Sfu.Core.Negotiation;

namespace Sfu.Host.Tests;

/// <summary>
/// RFC 7675: a peer whose media path goes silent loses its session, and is told why. The
/// timeout here stays above werift's consent-check interval (5 s ± 20%), so the live watcher keeps its.
/// </summary>
public sealed class ConsentTests
{
    [Fact]
    public async Task A_participant_that_never_completes_ice_is_removed_after_the_consent_timeout_and_the_room_is_told()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync("--Sfu:Media:ConsentTimeoutSeconds=7");
        await using WeriftPeer watcher = WeriftPeer.Start(server.BaseUrl, "consent", "watcher", expectRemotes: 0, durationMs: 12000);

        // The watcher must be in the room before the silent one joins, or it cannot see it leave
        // (on a loaded machine node can take longer to start than the timeout).
        await watcher.WaitForEventAsync("joined-self", TimeSpan.FromSeconds(30));
        await using HubConnection silent = new HubConnectionBuilder().WithUrl(server.BaseUrl + "/hubs/sfu").Build();
        var removed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        silent.On<string>("Removed", reason => removed.TrySetResult(reason));
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await silent.StartAsync(cancel);
        JsonElement join = await silent.InvokeAsync<JsonElement>("Join", "consent", "silent", cancel);
        string silentId = join.GetProperty("participantId").GetString()!;
        await silent.InvokeAsync<string>("Offer", AudioOffer(), cancel);

        string reason = await removed.Task.WaitAsync(TimeSpan.FromSeconds(15), cancel);
        await watcher.WaitForReportAsync(TimeSpan.FromSeconds(30));

        Assert.Contains("timed out", reason, StringComparison.Ordinal);
        Assert.Contains(watcher.Events, e => e.GetProperty("event").GetString() == "left" && e.GetProperty("id").GetString() == silentId);
        Assert.DoesNotContain(watcher.Events, e => e.GetProperty("event").GetString() == "removed");
    }

    private static string AudioOffer()
    {
        DtlsCertificate certificate = DtlsCertificate.Generate();
        var transport = new LocalTransport("cd34", "cd34cd34cd34cd34cd34cd34", certificate.FingerprintAlgorithm, certificate.Fingerprint, DtlsSetup.ActPass, "127.0.0.1", 9);
        var opus = new RtpCodec { PayloadType = 111, Name = "opus", ClockRate = 48000, Channels = 2 };
        var section = new OfferSection("0", MediaKind.Audio, MediaDirection.SendOnly, [opus], [], new SendStream(2222, null, "cname", "stream", "track"));
        return SdpWriter.Write(SdpOfferBuilder.Build(transport, [section], 1, 1));
    }
}

using System.Net.Sockets;
using System.Text.Json;

namespace Sfu.Host.Tests;

/// <summary>
/// Loss between the server and a subscriber is repaired from the server's buffer: the relay
/// drops RTP on its way to the werift peers, werift NACKs the video it misses (RFC 4585
/// §6.2.1, for the negotiated "nack" feedback), and the server resends it on the same SSRC
/// with the same sequence number.
/// </summary>
public sealed class RetransmissionTests
{
    [Fact]
    public async Task Video_lost_on_the_way_to_a_subscriber_is_resent_when_it_nacks_and_the_loss_goes_back_to_zero()
    {
        int mediaPort = FreeUdpPort();
        await using var relay = new LossyUdpRelay(mediaPort, dropRtpToPeers: 0.05);
        await using SfuTestServer server = await SfuTestServer.StartAsync(
            $"--Sfu:Media:Port={mediaPort}", $"--Sfu:Media:AnnouncedPort={relay.Port}");
        await using WeriftPeer a = WeriftPeer.Start(server.BaseUrl, "lossy", "a", expectRemotes: 0, durationMs: 8000, lingerMs: 1000);
        await using WeriftPeer b = WeriftPeer.Start(server.BaseUrl, "lossy", "b", expectRemotes: 0, durationMs: 8000, lingerMs: 1000);

        WeriftReport reportA = await a.WaitForReportAsync(TimeSpan.FromSeconds(40));
        WeriftReport reportB = await b.WaitForReportAsync(TimeSpan.FromSeconds(40));

        Assert.True(relay.Dropped > 0, "the relay dropped nothing");
        Assert.True(server.Engine.Counters.NacksReceived > 0, "no NACK reached the server\n" + a.Diagnostics);
        int late = AssertRepaired(reportA, reportB.ParticipantId, a.Diagnostics)
            + AssertRepaired(reportB, reportA.ParticipantId, b.Diagnostics);

        // Every late arrival is a resend: the server cannot have sent fewer than arrived.
        long resent = server.Engine.Counters.PacketsRetransmitted;
        Assert.True(late <= resent, $"{late} late packets but {resent} resent");
        TestContext.Current.SendDiagnosticMessage($"relay dropped {relay.Dropped}, NACKs {server.Engine.Counters.NacksReceived}, resent {resent}, arrived late {late}");
    }

    /// <summary>
    /// The subscriber's video from the publisher lost packets on the way (gaps opened), got
    /// missing ones later (resent, decrypted and identical to what the publisher sent, under
    /// the sequence number the server first gave them), and over the middle of the run nothing
    /// stayed missing (the first and last second are left out: the last gaps may still be in
    /// repair when the report is written). Returns how many arrived late.
    /// </summary>
    internal static int AssertRepaired(WeriftReport report, string publisherId, string diagnostics)
    {
        WeriftTrack? video = report.Tracks.SingleOrDefault(t => t.Kind == "video" && t.StreamId == publisherId);
        Assert.True(video?.Sequence?.Middle is not null, $"{report.ParticipantId} has no video record from {publisherId}\n{diagnostics}");
        WeriftSequence sequence = video.Sequence;
        WeriftSequenceRange middle = sequence.Middle;
        string what = $"{report.ParticipantId}'s video from {publisherId}: {JsonSerializer.Serialize(video)}";

        Assert.True(video.Mismatches == 0 && video.Verified >= 100, what);
        Assert.True(video.SequenceOffsets == 1, what);
        Assert.True(sequence.Jumps == 0, what);
        Assert.True(sequence.GapsOpened > 0, "no loss on the way to the subscriber: " + what);
        Assert.True(sequence.Late > 0, "nothing missed arrived later: " + what);
        Assert.True(middle.Missing == 0, "loss stayed: " + what);
        TestContext.Current.SendDiagnosticMessage(
            $"{report.ParticipantId} <- {publisherId} video: {video.Verified} verified; missing before repair {sequence.GapsOpened} "
            + $"(middle {middle.GapsOpened}), resent and received {sequence.Late} (middle {middle.Late}), missing after {sequence.Missing} "
            + $"(middle {middle.Missing}), received twice {sequence.Duplicates}; missing each second [{string.Join(", ", sequence.MissingEachSecond)}]; repair {sequence.RepairMsMedian} ms median, {sequence.RepairMsMax} ms max");
        return sequence.Late;
    }

    internal static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return ((System.Net.IPEndPoint)socket.LocalEndPoint!).Port;
    }
}

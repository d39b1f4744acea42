using Sfu.Core.Rtcp;

namespace Sfu.Core.Routing;

/// <summary>
/// What this participant's RTCP tells the metrics: its reception reports on the streams we
/// send it, and the moment its first media packet left. Receive loop.
/// </summary>
public sealed partial class Participant
{
    private int _firstPacketForwarded;

    /// <summary>A receiver report from this participant: one block per stream it receives from us.</summary>
    private void OnReceiverReport(ReadOnlySpan<byte> packet)
    {
        if (!ReceiverReport.TryParse(packet, out ReceiverReport report))
        {
            return;
        }

        long now = Time.GetTimestamp();
        for (int i = 0; i < report.ReportCount; i++)
        {
            OnReportBlock(report.GetReportBlock(i), now);
        }
    }

    /// <summary>One report block (RFC 3550 §6.4.1) about a down-track of ours; blocks about other SSRCs are ignored.</summary>
    private void OnReportBlock(in ReportBlock block, long now)
    {
        if (!_downTracksBySsrc.TryGetValue(block.Ssrc, out DownTrack? downTrack))
        {
            return;
        }

        bool measured = downTrack.Quality.OnReportBlock(block, now);
        _engine.Metrics.RecordReception(
            downTrack.Source.Kind,
            downTrack.Quality.FractionLost,
            downTrack.Quality.JitterSeconds,
            measured ? downTrack.Quality.RoundTripSeconds : null);
    }

    /// <summary>The first media packet sent to this participant: how long joining took, once.</summary>
    internal void OnFirstPacketForwarded()
    {
        if (Interlocked.Exchange(ref _firstPacketForwarded, 1) == 0)
        {
            _engine.Metrics.RecordFirstPacket(Time.GetElapsedTime(Transport.CreatedAt));
        }
    }
}

using Sfu.Core.Diagnostics;
using Sfu.Core.Feedback;
using Sfu.Core.Sessions;

namespace Sfu.Core.Routing;

/// <summary>What every down-track of one subscriber shares: its transport, the counters, and the join-time metric of its first packet.</summary>
internal sealed class DownTrackContext(PeerTransport transport, MediaServices services, DownlinkBandwidth downlink)
{
    private int _firstPacketSent;

    public PeerTransport Transport { get; } = transport;

    /// <summary>The transport-wide numbering of everything we send this subscriber.</summary>
    public TransportCcSender TransportCc { get; } = downlink.Sender;

    /// <summary>The bandwidth probe that padding on any of this subscriber's streams serves.</summary>
    public ProbeController Probe { get; } = downlink.Probe;

    public MediaCounters Counters => services.Counters;

    public TimeProvider Time => services.Time;

    /// <summary>The first media packet sent to this subscriber: how long joining took, once.</summary>
    public void OnFirstPacket()
    {
        if (Interlocked.Exchange(ref _firstPacketSent, 1) == 0)
        {
            services.Metrics?.RecordFirstPacket(services.Time.GetElapsedTime(Transport.CreatedAt));
        }
    }
}

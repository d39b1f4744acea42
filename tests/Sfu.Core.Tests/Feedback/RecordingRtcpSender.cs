using Sfu.Core.Rtcp;
using Sfu.Core.Sessions;

namespace Sfu.Core.Tests.Feedback;

/// <summary>Keeps every compound a processor sends, as the peer would receive it (before SRTCP).</summary>
internal sealed class RecordingRtcpSender : IRtcpSender
{
    public bool IsConnected { get; set; } = true;

    public List<byte[]> Sent { get; } = [];

    public bool SendRtcp(ReadOnlySpan<byte> compound)
    {
        Sent.Add(compound.ToArray());
        return true;
    }

    /// <summary>The packet types of every packet sent, in order.</summary>
    public List<RtcpPacketType> Types()
    {
        var types = new List<RtcpPacketType>();
        foreach (byte[] compound in Sent)
        {
            Assert.Equal(RtcpParseResult.Ok, RtcpCompoundReader.TryCreate(compound, out RtcpCompoundReader reader));
            foreach (RtcpPacket packet in reader)
            {
                types.Add(packet.Header.PacketType);
            }
        }

        return types;
    }
}

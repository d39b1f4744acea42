using BenchmarkDotNet.Attributes;
using Sfu.Core.Rtcp;

namespace Sfu.Benchmarks;

/// <summary>
/// Parsing the two compound RTCP packets (RFC 3550 §6.1) a browser sends most: a sender's
/// SR + SDES CNAME, and a receiver's RR + generic NACK (RFC 4585 §6.2.1) + PLI (§6.3.1).
/// Each operation validates the compound, walks its packets and reads every field the server
/// uses (report blocks, CNAME, lost sequence numbers, media SSRC).
/// </summary>
[BenchmarkCategory(BenchmarkCategories.HotPath)]
public class RtcpParseBenchmarks
{
    private const uint SenderSsrc = 0x1234_5678;
    private const uint ReceiverSsrc = 0x0BAD_CAFE;

    private byte[] _senderCompound = [];
    private byte[] _receiverCompound = [];

    [GlobalSetup]
    public void Setup()
    {
        var block = new ReportBlock(0x5000_0001, 12, 34, 0x0001_2345, 210, 0x1111_2222, 0x0000_8000);

        var buffer = new byte[256];
        int length = SenderReport.TryWrite(buffer, SenderSsrc, 0xE8F0_1234_5678_9ABC, 90_000, 1234, 1_234_567, [block]);
        length += SourceDescription.TryWriteCname(buffer.AsSpan(length), SenderSsrc, "kDjH3v9pQx0Lm2Zc"u8);
        _senderCompound = buffer.AsSpan(0, length).ToArray();

        buffer = new byte[256];
        length = ReceiverReport.TryWrite(buffer, ReceiverSsrc, [block]);
        length += GenericNack.TryWrite(buffer.AsSpan(length), ReceiverSsrc, SenderSsrc, [1000, 1001, 1005, 1040]);
        length += PictureLossIndication.TryWrite(buffer.AsSpan(length), ReceiverSsrc, SenderSsrc);
        _receiverCompound = buffer.AsSpan(0, length).ToArray();
    }

    /// <summary>SR (one report block) + SDES (one CNAME chunk): 52 + 28 bytes.</summary>
    [Benchmark]
    public int SenderReportAndSdes() => Read(_senderCompound);

    /// <summary>RR (one report block) + NACK (two pairs) + PLI: 32 + 20 + 12 bytes.</summary>
    [Benchmark]
    public int ReceiverReportNackPli() => Read(_receiverCompound);

    /// <summary>
    /// The number of packets read in the low 4 bits, above it a checksum of the fields read
    /// (so none can be optimized away); -1 when the compound is invalid.
    /// </summary>
    internal static int Read(ReadOnlySpan<byte> compound)
    {
        if (RtcpCompoundReader.TryCreate(compound, out RtcpCompoundReader reader) != RtcpParseResult.Ok)
        {
            return -1;
        }

        int packets = 0;
        uint sum = 0;
        foreach (RtcpPacket packet in reader)
        {
            packets++;
            switch (packet.Header.PacketType)
            {
                case RtcpPacketType.SenderReport when SenderReport.TryParse(packet.Content, out SenderReport sr):
                    sum += sr.Ssrc ^ sr.RtpTimestamp ^ sr.PacketCount ^ sr.CompactNtpTimestamp;
                    for (int i = 0; i < sr.ReportCount; i++)
                    {
                        sum += sr.GetReportBlock(i).ExtendedHighestSequenceNumber;
                    }

                    break;
                case RtcpPacketType.ReceiverReport when ReceiverReport.TryParse(packet.Content, out ReceiverReport rr):
                    sum += rr.Ssrc;
                    for (int i = 0; i < rr.ReportCount; i++)
                    {
                        ReportBlock block = rr.GetReportBlock(i);
                        sum += block.Jitter + block.FractionLost;
                    }

                    break;
                case RtcpPacketType.SourceDescription when SourceDescription.TryParse(packet.Content, out SourceDescription sdes):
                    foreach (SdesChunk chunk in sdes)
                    {
                        sum += chunk.Ssrc + (uint)chunk.Cname.Length;
                    }

                    break;
                case RtcpPacketType.TransportFeedback when GenericNack.TryParse(packet.Content, out GenericNack nack):
                    foreach (ushort lost in nack.LostSequenceNumbers)
                    {
                        sum += lost;
                    }

                    break;
                case RtcpPacketType.PayloadFeedback when PictureLossIndication.TryParse(packet.Content, out PictureLossIndication pli):
                    sum += pli.MediaSsrc;
                    break;
                default:
                    break;
            }
        }

        return packets + (int)(sum & 0xFFFF) * 16;
    }
}

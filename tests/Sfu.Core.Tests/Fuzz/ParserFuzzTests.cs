using System.Net;
using CsCheck;
using Sfu.Core.Dtls;
using Sfu.Core.Negotiation;
using Sfu.Core.Rtcp;
using Sfu.Core.Rtp;
using Sfu.Core.Stun;

namespace Sfu.Core.Tests.Fuzz;

/// <summary>
/// Every parser that reads bytes from the network, fed mutated seeds (Fuzz/Seeds) and random
/// bytes: each case must end in the parser's own answer (a result code, false, an error text),
/// never an exception, and everything the parsed view offers is read too, so an offset a
/// parser trusted too early shows here. The budget is <see cref="FuzzBudget"/>'s.
/// </summary>
public sealed class ParserFuzzTests
{
    private static readonly byte[] StunKey = "VOkJxbRl1RmTxUk/WvJxBt"u8.ToArray();

    [Fact]
    public void Every_seed_parses_so_mutations_start_from_valid_input()
    {
        Assert.All(FuzzSeeds.Load("stun"), seed => Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(seed, out _)));
        Assert.All(FuzzSeeds.Load("rtp"), seed => Assert.Equal(RtpParseResult.Ok, RtpPacket.TryParse(seed, out _)));
        Assert.All(FuzzSeeds.Load("rtcp"), seed => Assert.Equal(RtcpParseResult.Ok, RtcpCompoundReader.Validate(seed)));
        Assert.All(FuzzSeeds.Load("sdp"), seed => Assert.True(SdpParser.Parse(System.Text.Encoding.UTF8.GetString(seed)).Success));
        Assert.All(FuzzSeeds.Load("dtls"), seed => Assert.Equal(DtlsFraming.Ok, DtlsDatagramFraming.Check(seed)));

        // The feedback seeds carry every feedback format the server reads, each of which parses.
        int nacks = 0, plis = 0, firs = 0, rembs = 0, twccs = 0;
        foreach (byte[] seed in FuzzSeeds.Load("rtcp"))
        {
            Assert.Equal(RtcpParseResult.Ok, RtcpCompoundReader.TryCreate(seed, out RtcpCompoundReader reader));
            foreach (RtcpPacket packet in reader)
            {
                nacks += GenericNack.TryParse(packet.Data, out _) && packet.Header.Format == GenericNack.Format && packet.Header.PacketType == RtcpPacketType.TransportFeedback ? 1 : 0;
                plis += packet.Header.PacketType == RtcpPacketType.PayloadFeedback && PictureLossIndication.TryParse(packet.Data, out _) ? 1 : 0;
                firs += packet.Header.PacketType == RtcpPacketType.PayloadFeedback && FullIntraRequest.TryParse(packet.Data, out _) ? 1 : 0;
                rembs += ReceiverEstimatedMaxBitrate.TryParse(packet.Data, out _) ? 1 : 0;
                twccs += TransportWideFeedback.TryParse(packet.Data, out TransportWideFeedback twcc) && Count(twcc) == twcc.PacketStatusCount ? 1 : 0;
            }
        }

        Assert.All(new[] { nacks, plis, firs, rembs, twccs }, n => Assert.True(n > 0));
    }

    [Fact]
    public void Stun() => Run(Mutations.Of(FuzzSeeds.Load("stun")), data =>
    {
        if (StunMessage.TryParse(data, out StunMessage message) != StunParseResult.Ok)
        {
            return;
        }

        _ = message.Username.Length + message.TransactionId.Length;
        _ = message.Method;
        _ = message.Class;
        _ = message.HasUseCandidate;
        _ = message.TryGetPriority(out _);
        _ = message.TryGetIceControlling(out _);
        _ = message.TryGetIceControlled(out _);
        _ = message.TryGetErrorCode(out _, out _);
        _ = message.TryGetXorMappedAddress(out IPEndPoint? _);
        _ = message.VerifyMessageIntegrity(StunKey);
        _ = message.VerifyFingerprint();
    });

    [Fact]
    public void Rtp_with_extensions_and_payload_descriptors() => Run(Mutations.Of(FuzzSeeds.Load("rtp")), data =>
    {
        if (RtpPacket.TryParse(data, out RtpPacket packet) != RtpParseResult.Ok)
        {
            return;
        }

        for (int i = 0; i < packet.CsrcCount; i++)
        {
            packet.Csrc(i);
        }

        foreach (RtpHeaderExtension extension in packet.Extensions)
        {
            _ = extension.Id + extension.Value.Length;
            _ = AudioLevel.TryParse(extension.Value, out _, out _);
        }

        _ = packet.TryGetExtension(1, out _);
        _ = packet.Payload.Length + packet.PaddingBytes.Length;
        foreach (VideoCodecKind codec in Enum.GetValues<VideoCodecKind>())
        {
            _ = VideoKeyframe.IsKeyframe(packet.Payload, codec);
        }

        _ = Vp8Descriptor.TryGetKeyframeSize(packet.Payload, out _, out _);
    });

    [Fact]
    public void Rtx() => Run(Mutations.Of(FuzzSeeds.Load("rtp")), data =>
    {
        if (RtpPacket.TryParse(data, out RtpPacket rtx) != RtpParseResult.Ok)
        {
            return;
        }

        Span<byte> restored = stackalloc byte[1500];
        int length = RtxPacket.TryRestore(rtx, 0x55667788, 96, restored);
        Assert.InRange(length, -1, restored.Length);
        if (length > 0)
        {
            _ = RtpPacket.TryParse(restored[..length], out _);
        }
    });

    [Fact]
    public void Rtcp_compound_with_every_feedback_format() => Run(Mutations.Of(FuzzSeeds.Load("rtcp")), data =>
    {
        _ = RtcpCompoundReader.Validate(data);
        if (RtcpCompoundReader.TryCreate(data, out RtcpCompoundReader reader) != RtcpParseResult.Ok)
        {
            return;
        }

        foreach (RtcpPacket packet in reader)
        {
            ReadEveryKind(packet.Data);
        }
    });

    [Fact]
    public void Rtcp_packets_one_at_a_time() => Run(Mutations.Of(FuzzSeeds.Load("rtcp")), ReadEveryKind);

    [Fact]
    public void Transport_wide_feedback() => Run(Mutations.Of(FuzzSeeds.Load("rtcp")), data =>
    {
        // The compound seeds start with a receiver report; the feedback alone starts at the first.
        if (TransportWideFeedback.TryParse(data, out TransportWideFeedback twcc))
        {
            Assert.InRange(Count(twcc), 0, twcc.PacketStatusCount);
        }
    });

    [Fact]
    public void Sdp() => Run(Mutations.OfText(FuzzSeeds.Load("sdp")), text =>
    {
        SdpParseResult parsed = SdpParser.Parse(text);
        if (parsed.Success)
        {
            // What the server does with a parsed offer next: write it back out.
            _ = SdpWriter.Write(parsed.Description!);
        }
        else
        {
            Assert.False(string.IsNullOrEmpty(parsed.Error));
        }
    });

    private static void ReadEveryKind(byte[] data) => ReadEveryKind(data.AsSpan());

    private static void ReadEveryKind(ReadOnlySpan<byte> data)
    {
        if (SenderReport.TryParse(data, out SenderReport sr))
        {
            _ = sr.ProfileExtension.Length + sr.PacketCount;
        }

        if (ReceiverReport.TryParse(data, out ReceiverReport rr))
        {
            for (int i = 0; i < rr.ReportCount; i++)
            {
                rr.GetReportBlock(i);
            }

            _ = rr.ProfileExtension.Length;
        }

        if (SourceDescription.TryParse(data, out SourceDescription sdes))
        {
            foreach (SdesChunk chunk in sdes)
            {
                _ = chunk.Ssrc + (uint)chunk.Cname.Length;
            }
        }

        if (Goodbye.TryParse(data, out Goodbye bye))
        {
            for (int i = 0; i < bye.SourceCount; i++)
            {
                bye.GetSsrc(i);
            }

            _ = bye.Reason.Length;
        }

        if (GenericNack.TryParse(data, out GenericNack nack))
        {
            int named = 0;
            foreach (ushort _ in nack.LostSequenceNumbers)
            {
                named++;
            }

            // 17 per pair at most: a claimed length cannot make it name more.
            Assert.InRange(named, 0, nack.PairCount * 17);
        }

        _ = PictureLossIndication.TryParse(data, out _);
        if (FullIntraRequest.TryParse(data, out FullIntraRequest fir))
        {
            for (int i = 0; i < fir.EntryCount; i++)
            {
                fir.GetEntry(i);
            }
        }

        if (ReceiverEstimatedMaxBitrate.TryParse(data, out ReceiverEstimatedMaxBitrate remb))
        {
            _ = remb.Bitrate;
            for (int i = 0; i < remb.SsrcCount; i++)
            {
                remb.GetSsrc(i);
            }
        }

        if (TransportWideFeedback.TryParse(data, out TransportWideFeedback twcc))
        {
            _ = Count(twcc);
        }
    }

    private static int Count(TransportWideFeedback twcc)
    {
        int statuses = 0;
        foreach (TransportWidePacketStatus _ in twcc.Packets)
        {
            statuses++;
        }

        return statuses;
    }

    [Fact]
    public void Dtls_record_framing() => Run(Mutations.Of(FuzzSeeds.Load("dtls")), data =>
    {
        if (DtlsDatagramFraming.Check(data) != DtlsFraming.Ok)
        {
            return;
        }

        // What passes goes to BouncyCastle: its records tile the datagram exactly, and no
        // plaintext handshake fragment claims a message the reassembler would size past our bound.
        ReadOnlySpan<byte> rest = data;
        while (!rest.IsEmpty)
        {
            Assert.Equal(DtlsFraming.Ok, DtlsRecord.TryRead(rest, out DtlsRecord record, out int length));
            Assert.Equal(DtlsRecord.HeaderLength + record.Fragment.Length, length);
            if (record.ContentType == DtlsRecord.Handshake && record.Epoch == 0)
            {
                ReadOnlySpan<byte> plaintext = record.Fragment;
                while (!plaintext.IsEmpty)
                {
                    Assert.Equal(DtlsFraming.Ok, DtlsHandshakeFragment.TryRead(plaintext, out DtlsHandshakeFragment fragment, out int used));
                    Assert.InRange(fragment.MessageLength, fragment.FragmentOffset + fragment.Body.Length, DtlsDatagramFraming.MaxHandshakeMessageLength);
                    plaintext = plaintext[used..];
                }
            }

            rest = rest[length..];
        }
    });

    private static void Run<T>(Gen<T> gen, Action<T> parse)
        => gen.Sample(parse, seed: FuzzBudget.Seed, iter: FuzzBudget.Seconds > 0 ? -1 : FuzzBudget.Iterations, time: FuzzBudget.Seconds);
}

using Sfu.Core.Rtcp;

namespace Sfu.Core.Tests.Rtcp;

/// <summary>Runs every view over a span and touches everything it exposes, to prove no input makes them throw.</summary>
internal static class RtcpViews
{
    public static long ParseAll(ReadOnlySpan<byte> data)
    {
        long sum = 0;
        _ = RtcpHeader.TryParse(data, out _);
        if (SenderReport.TryParse(data, out SenderReport sr))
        {
            sum += (long)(sr.NtpTimestamp >> 40) + sr.Ssrc + sr.RtpTimestamp + sr.PacketCount + sr.OctetCount + sr.ProfileExtension.Length;
            for (int i = 0; i < sr.ReportCount; i++)
            {
                sum += sr.GetReportBlock(i).CumulativeLost;
            }
        }

        if (ReceiverReport.TryParse(data, out ReceiverReport rr))
        {
            sum += rr.Ssrc + rr.ProfileExtension.Length;
            for (int i = 0; i < rr.ReportCount; i++)
            {
                sum += rr.GetReportBlock(i).Jitter;
            }
        }

        if (SourceDescription.TryParse(data, out SourceDescription sdes))
        {
            foreach (SdesChunk chunk in sdes)
            {
                sum += chunk.Ssrc + chunk.Cname.Length;
                sum += chunk.TryGetItem(SdesItemType.Tool, out ReadOnlySpan<byte> tool) ? tool.Length : 0;
            }
        }

        if (Goodbye.TryParse(data, out Goodbye bye))
        {
            for (int i = 0; i < bye.SourceCount; i++)
            {
                sum += bye.GetSsrc(i);
            }

            sum += bye.Reason.Length;
        }

        if (GenericNack.TryParse(data, out GenericNack nack))
        {
            sum += nack.SenderSsrc + nack.MediaSsrc;
            foreach (ushort lost in nack.LostSequenceNumbers)
            {
                sum += lost;
            }

            for (int i = 0; i < nack.PairCount; i++)
            {
                sum += nack.GetPair(i).Bitmask;
            }
        }

        if (PictureLossIndication.TryParse(data, out PictureLossIndication pli))
        {
            sum += pli.MediaSsrc;
        }

        if (FullIntraRequest.TryParse(data, out FullIntraRequest fir))
        {
            for (int i = 0; i < fir.EntryCount; i++)
            {
                sum += fir.GetEntry(i).Ssrc;
            }
        }

        if (ReceiverEstimatedMaxBitrate.TryParse(data, out ReceiverEstimatedMaxBitrate remb))
        {
            sum += (long)(remb.Bitrate & 0xFFFF);
            for (int i = 0; i < remb.SsrcCount; i++)
            {
                sum += remb.GetSsrc(i);
            }
        }

        sum += (int)RtcpFeedback.Classify(data);
        return sum;
    }
}

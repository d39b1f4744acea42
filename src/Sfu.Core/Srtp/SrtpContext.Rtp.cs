using System.Buffers.Binary;

namespace Sfu.Core.Srtp;

/// <summary>The SRTP half: protecting and unprotecting RTP packets (RFC 3711 §3.3; RFC 7714 §8).</summary>
public sealed partial class SrtpContext
{
    /// <summary>
    /// Protects the RTP packet in <c>buffer[..length]</c> in place (RFC 3711 §3.3; RFC 7714 §8.2)
    /// and appends the tag; <paramref name="buffer"/> needs <see cref="RtpOverhead"/> spare bytes.
    /// The ROC for the SSRC follows the sequence numbers given (§3.3.1): a wrap from 65535 to 0
    /// increments it, and an older, reordered sequence number is placed in its own ROC.
    /// </summary>
    public SrtpResult ProtectRtp(Span<byte> buffer, int length, out int protectedLength)
    {
        SrtpSendHandle lookup = default;
        return ProtectRtp(buffer, length, ref lookup, out protectedLength);
    }

    /// <summary>
    /// As <see cref="ProtectRtp(Span{byte}, int, out int)"/>, with the SSRC's state taken from
    /// <paramref name="handle"/> when it was filled by this context for this SSRC, and filled
    /// otherwise (see <see cref="SrtpSendHandle"/>).
    /// </summary>
    public SrtpResult ProtectRtp(Span<byte> buffer, int length, ref SrtpSendHandle handle, out int protectedLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, buffer.Length);
        protectedLength = 0;

        SrtpResult header = SrtpRtpHeader.TryGetLength(buffer[..length], out int headerLength);
        if (header != SrtpResult.Ok)
        {
            return header;
        }

        if (length + _rtp.RtpOverhead > MaxDatagramLength)
        {
            return SrtpResult.Malformed;
        }

        if (buffer.Length < length + _rtp.RtpOverhead)
        {
            return SrtpResult.BufferTooSmall;
        }

        ushort sequence = BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]);
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[8..]);
        SrtpStreamState? stream = handle.Stream;
        if (stream is null || handle.Ssrc != ssrc || !ReferenceEquals(handle.Context, this))
        {
            // Streams are never removed before Dispose, so a filled handle stays right.
            stream = GetOrAddStream(ssrc);
            if (stream is null)
            {
                return SrtpResult.TooManyStreams;
            }

            handle.Context = this;
            handle.Stream = stream;
            handle.Ssrc = ssrc;
        }

        if (!SrtpPacketIndex.TryEstimate(stream.HasSent, stream.HighestSentIndex, sequence, out ulong index))
        {
            return SrtpResult.ReplayTooOld;
        }

        _rtp.SealRtp(buffer, headerLength, length, ssrc, index);
        if (!stream.HasSent || index > stream.HighestSentIndex)
        {
            stream.HasSent = true;
            stream.HighestSentIndex = index;
        }

        protectedLength = length + _rtp.RtpOverhead;
        return SrtpResult.Ok;
    }

    /// <summary>
    /// Unprotects one SRTP packet in place (RFC 3711 §3.3): estimates its index (§3.3.1), rejects
    /// replays before spending crypto on them (§3.3.2), authenticates, decrypts, and only then
    /// moves the ROC and replay window. On success <c>packet[..plainLength]</c> is the RTP packet;
    /// on failure the buffer contents are unspecified.
    /// </summary>
    public SrtpResult UnprotectRtp(Span<byte> packet, out int plainLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        plainLength = 0;
        int tagLength = _rtp.RtpOverhead;
        if (packet.Length < SrtpRtpHeader.FixedLength + tagLength)
        {
            return packet.Length >= 1 && packet[0] >> 6 != 2 ? SrtpResult.Malformed : SrtpResult.TooShort;
        }

        if (packet.Length > MaxDatagramLength)
        {
            return SrtpResult.Malformed;
        }

        int payloadEnd = packet.Length - tagLength;
        SrtpResult header = SrtpRtpHeader.TryGetLength(packet[..payloadEnd], out int headerLength);
        if (header != SrtpResult.Ok)
        {
            return header;
        }

        ushort sequence = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[8..]);
        _streams.TryGetValue(ssrc, out SrtpStreamState? stream);
        if (stream is null && _streams.Count >= MaxStreams)
        {
            return SrtpResult.TooManyStreams;
        }

        bool hasHistory = stream is not null && stream.RtpWindow.IsInitialized;
        ulong highest = hasHistory ? stream!.RtpWindow.Highest : 0;
        if (!SrtpPacketIndex.TryEstimate(hasHistory, highest, sequence, out ulong index))
        {
            return SrtpResult.ReplayTooOld;
        }

        if (stream is not null)
        {
            SrtpResult replay = stream.RtpWindow.Check(index);
            if (replay != SrtpResult.Ok)
            {
                return replay;
            }
        }

        if (!_rtp.OpenRtp(packet, headerLength, payloadEnd, ssrc, index))
        {
            return SrtpResult.AuthenticationFailed;
        }

        stream ??= AddStream(ssrc);
        stream.RtpWindow.Accept(index);
        plainLength = payloadEnd;
        return SrtpResult.Ok;
    }
}

using System.Buffers.Binary;

namespace Sfu.Core.Srtp;

/// <summary>The SRTCP half: protecting and unprotecting RTCP compound packets (RFC 3711 §3.4; RFC 7714 §9).</summary>
public sealed partial class SrtpContext
{
    private const int RtcpHeaderLength = 8;
    private const uint EncryptedFlag = 0x8000_0000;
    private const uint SrtcpIndexMask = 0x7FFF_FFFF;

    /// <summary>
    /// Protects the RTCP compound packet in <c>buffer[..length]</c> in place (RFC 3711 §3.4;
    /// RFC 7714 §9): encrypts everything after the first 8 bytes, sets the E flag, appends the
    /// SRTCP index of the sender SSRC (which then increments) and the tag.
    /// <paramref name="buffer"/> needs <see cref="RtcpOverhead"/> spare bytes.
    /// </summary>
    public SrtpResult ProtectRtcp(Span<byte> buffer, int length, out int protectedLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, buffer.Length);
        protectedLength = 0;

        SrtpResult header = CheckRtcpHeader(buffer[..length], RtcpHeaderLength);
        if (header != SrtpResult.Ok)
        {
            return header;
        }

        if (length + _rtcp.RtcpOverhead > MaxDatagramLength)
        {
            return SrtpResult.Malformed;
        }

        if (buffer.Length < length + _rtcp.RtcpOverhead)
        {
            return SrtpResult.BufferTooSmall;
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
        SrtpStreamState? stream = GetOrAddStream(ssrc);
        if (stream is null)
        {
            return SrtpResult.TooManyStreams;
        }

        uint index = stream.NextSrtcpIndex;

        // The index is 31 bits (§3.4); 2^31 RTCP packets under one key does not happen in a call.
        stream.NextSrtcpIndex = (index + 1) & SrtcpIndexMask;
        protectedLength = _rtcp.SealRtcp(buffer, length, ssrc, index);
        return SrtpResult.Ok;
    }

    /// <summary>
    /// Unprotects one SRTCP packet in place (RFC 3711 §3.4; RFC 7714 §9): reads E and the SRTCP
    /// index, rejects replays, authenticates, decrypts when E is set, then records the index.
    /// On success <c>packet[..plainLength]</c> is the RTCP compound packet.
    /// </summary>
    public SrtpResult UnprotectRtcp(Span<byte> packet, out int plainLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        plainLength = 0;
        SrtpResult header = CheckRtcpHeader(packet, RtcpHeaderLength + _rtcp.RtcpOverhead);
        if (header != SrtpResult.Ok)
        {
            return header;
        }

        if (packet.Length > MaxDatagramLength)
        {
            return SrtpResult.Malformed;
        }

        uint word = BinaryPrimitives.ReadUInt32BigEndian(packet[^_rtcp.RtcpIndexOffsetFromEnd..]);
        bool encrypted = (word & EncryptedFlag) != 0;
        uint index = word & SrtcpIndexMask;
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);

        _streams.TryGetValue(ssrc, out SrtpStreamState? stream);
        if (stream is null && _streams.Count >= MaxStreams)
        {
            return SrtpResult.TooManyStreams;
        }

        if (stream is not null)
        {
            SrtpResult replay = stream.RtcpWindow.Check(index);
            if (replay != SrtpResult.Ok)
            {
                return replay;
            }
        }

        if (!_rtcp.OpenRtcp(packet, ssrc, index, encrypted, out int length))
        {
            return SrtpResult.AuthenticationFailed;
        }

        stream ??= AddStream(ssrc);
        stream.RtcpWindow.Accept(index);
        plainLength = length;
        return SrtpResult.Ok;
    }

    /// <summary>Version 2 and at least <paramref name="minimumLength"/> bytes (RFC 3550 §6.4.1).</summary>
    private static SrtpResult CheckRtcpHeader(ReadOnlySpan<byte> packet, int minimumLength)
    {
        if (packet.Length >= 1 && packet[0] >> 6 != 2)
        {
            return SrtpResult.Malformed;
        }

        return packet.Length < minimumLength ? SrtpResult.TooShort : SrtpResult.Ok;
    }
}

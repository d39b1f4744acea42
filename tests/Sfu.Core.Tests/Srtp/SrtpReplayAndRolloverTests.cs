using Sfu.Core.Srtp;
using static Sfu.Core.Tests.Srtp.SrtpTestSupport;

namespace Sfu.Core.Tests.Srtp;

/// <summary>Replay protection (RFC 3711 §3.3.2) and ROC / index estimation (§3.3.1, Appendix A).</summary>
public sealed class SrtpReplayAndRolloverTests
{
    private const uint Ssrc = 0x5EED5EED;

    [Theory]
    // No history: a new stream starts at ROC 0.
    [InlineData(false, 0x0000_0000UL, 0x1234, true, 0x0000_1234UL)]
    // s_l < 2^15, SEQ just ahead: same ROC.
    [InlineData(true, 0x0000_0010UL, 0x0011, true, 0x0000_0011UL)]
    // s_l < 2^15, SEQ far "ahead" (> 2^15 away): it is from the previous ROC.
    [InlineData(true, 0x0001_0005UL, 0xFFFE, true, 0x0000_FFFEUL)]
    // Same, but ROC is 0: there is no previous ROC.
    [InlineData(true, 0x0000_0005UL, 0xFFFE, false, 0UL)]
    // s_l >= 2^15, SEQ small (s_l - 2^15 > SEQ): the sequence wrapped, ROC + 1.
    [InlineData(true, 0x0000_FFFFUL, 0x0000, true, 0x0001_0000UL)]
    // s_l >= 2^15, SEQ slightly behind: same ROC.
    [InlineData(true, 0x0000_FFFFUL, 0xFFF0, true, 0x0000_FFF0UL)]
    // s_l = 2^15 exactly, SEQ 0: s_l - 2^15 = 0 is not > 0, same ROC.
    [InlineData(true, 0x0003_8000UL, 0x0000, true, 0x0003_0000UL)]
    // s_l < 2^15 boundary: SEQ - s_l = 2^15 exactly is not > 2^15, same ROC.
    [InlineData(true, 0x0002_0000UL, 0x8000, true, 0x0002_8000UL)]
    // SEQ - s_l = 2^15 + 1: previous ROC.
    [InlineData(true, 0x0002_0000UL, 0x8001, true, 0x0001_8001UL)]
    public void EstimatesIndex(bool hasHistory, ulong highest, int sequence, bool ok, ulong expected)
    {
        Assert.Equal(ok, SrtpPacketIndex.TryEstimate(hasHistory, highest, (ushort)sequence, out ulong index));
        Assert.Equal(expected, index);
    }

    [Theory]
    // Fresh window accepts anything.
    [InlineData(new ulong[0], 5UL, SrtpResult.Ok)]
    // The same index twice.
    [InlineData(new ulong[] { 5 }, 5UL, SrtpResult.ReplayDuplicate)]
    // Ahead of the highest.
    [InlineData(new ulong[] { 5 }, 6UL, SrtpResult.Ok)]
    // Behind but unseen, inside the window.
    [InlineData(new ulong[] { 5, 9 }, 7UL, SrtpResult.Ok)]
    // Behind and seen.
    [InlineData(new ulong[] { 5, 9 }, 5UL, SrtpResult.ReplayDuplicate)]
    // Oldest slot still in the window (127 behind).
    [InlineData(new ulong[] { 200 }, 73UL, SrtpResult.Ok)]
    // First slot out of the window (128 behind).
    [InlineData(new ulong[] { 200 }, 72UL, SrtpResult.ReplayTooOld)]
    // A jump further than the window forgets everything older.
    [InlineData(new ulong[] { 1, 2, 1000 }, 2UL, SrtpResult.ReplayTooOld)]
    // Bits shift with the highest: 1 seen, then 100 ahead; 1 is now 99 behind and still seen.
    [InlineData(new ulong[] { 1, 100 }, 1UL, SrtpResult.ReplayDuplicate)]
    public void ReplayWindow_Table(ulong[] accepted, ulong candidate, SrtpResult expected)
    {
        var window = default(SrtpReplayWindow);
        foreach (ulong index in accepted)
        {
            window.Accept(index);
        }

        Assert.Equal(expected, window.Check(candidate));
    }

    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80)]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    public void Rtp_Duplicate_IsRejected(SrtpProfile profile)
    {
        using SrtpContext sender = Create(profile);
        using SrtpContext receiver = Create(profile);
        byte[] wire = ProtectRtp(sender, PlainRtp(10, Ssrc, 30));

        Assert.Equal(SrtpResult.Ok, UnprotectRtp(receiver, wire, out _));
        Assert.Equal(SrtpResult.ReplayDuplicate, UnprotectRtp(receiver, wire, out _));
    }

    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80)]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    public void Rtp_FarOld_IsRejected_WhileOutOfOrderInWindow_IsAccepted(SrtpProfile profile)
    {
        using SrtpContext sender = Create(profile);
        using SrtpContext receiver = Create(profile);
        byte[] old = ProtectRtp(sender, PlainRtp(800, Ssrc, 30));
        byte[] edge = ProtectRtp(sender, PlainRtp(873, Ssrc, 30));
        byte[] late = ProtectRtp(sender, PlainRtp(990, Ssrc, 30));
        byte[] newest = ProtectRtp(sender, PlainRtp(1000, Ssrc, 30));

        Assert.Equal(SrtpResult.Ok, UnprotectRtp(receiver, newest, out _));
        // 10 behind, unseen: reordering inside the window is fine.
        Assert.Equal(SrtpResult.Ok, UnprotectRtp(receiver, late, out _));
        // 127 behind: the last slot of the window.
        Assert.Equal(SrtpResult.Ok, UnprotectRtp(receiver, edge, out _));
        // 200 behind: outside the window.
        Assert.Equal(SrtpResult.ReplayTooOld, UnprotectRtp(receiver, old, out _));
    }

    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80)]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    public void Rtp_ReplayIsCheckedBeforeAuthentication(SrtpProfile profile)
    {
        using SrtpContext sender = Create(profile);
        using SrtpContext receiver = Create(profile);
        byte[] wire = ProtectRtp(sender, PlainRtp(10, Ssrc, 30));
        Assert.Equal(SrtpResult.Ok, UnprotectRtp(receiver, wire, out _));

        // Same index with a broken tag: the replay verdict comes first (no crypto spent).
        wire[^1] ^= 0xFF;
        Assert.Equal(SrtpResult.ReplayDuplicate, UnprotectRtp(receiver, wire, out _));
    }

    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80)]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    public void Rtp_SequenceWrap_InOrder_BothSidesRollTheRoc(SrtpProfile profile)
    {
        using SrtpContext sender = Create(profile);
        using SrtpContext receiver = Create(profile);
        ushort sequence = 65530;
        for (int i = 0; i < 12; i++, sequence++)
        {
            byte[] plain = PlainRtp(sequence, Ssrc, 64);
            Assert.Equal(SrtpResult.Ok, UnprotectRtp(receiver, ProtectRtp(sender, plain), out byte[] back));
            Assert.Equal(plain, back);
        }
    }

    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80)]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    public void Rtp_SequenceWrap_ReorderedOnTheWire(SrtpProfile profile)
    {
        using SrtpContext sender = Create(profile);
        using SrtpContext receiver = Create(profile);
        var plain = new Dictionary<ushort, byte[]>();
        var wire = new Dictionary<ushort, byte[]>();
        foreach (ushort sequence in new ushort[] { 65533, 65534, 65535, 0, 1, 2 })
        {
            plain[sequence] = PlainRtp(sequence, Ssrc, 48);
            wire[sequence] = ProtectRtp(sender, plain[sequence]);
        }

        // Arrivals jump back and forth across the wrap; each must get the sender's ROC.
        foreach (ushort sequence in new ushort[] { 65533, 0, 65535, 2, 65534, 1 })
        {
            Assert.Equal(SrtpResult.Ok, UnprotectRtp(receiver, wire[sequence], out byte[] back));
            Assert.Equal(plain[sequence], back);
        }

        Assert.Equal(SrtpResult.ReplayDuplicate, UnprotectRtp(receiver, wire[65535], out _));
        Assert.Equal(SrtpResult.ReplayDuplicate, UnprotectRtp(receiver, wire[1], out _));
    }

    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80)]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    public void Rtp_SequenceWrap_ReorderedAtTheSender(SrtpProfile profile)
    {
        using SrtpContext sender = Create(profile);
        using SrtpContext receiver = Create(profile);

        // 65534 is protected after the wrap (a late send): it still belongs to ROC 0.
        ushort[] order = [65535, 0, 65534, 1];
        var packets = new List<(byte[] Plain, byte[] Wire)>();
        foreach (ushort sequence in order)
        {
            byte[] p = PlainRtp(sequence, Ssrc, 48);
            packets.Add((p, ProtectRtp(sender, p)));
        }

        foreach ((byte[] p, byte[] w) in packets)
        {
            Assert.Equal(SrtpResult.Ok, UnprotectRtp(receiver, w, out byte[] back));
            Assert.Equal(p, back);
        }
    }

    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80)]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    public void Rtp_BeforeTheStreamStart_IsTooOld(SrtpProfile profile)
    {
        using SrtpContext sender = Create(profile);
        using SrtpContext receiver = Create(profile);
        byte[] first = ProtectRtp(sender, PlainRtp(5, Ssrc, 10));
        Assert.Equal(SrtpResult.Ok, UnprotectRtp(receiver, first, out _));

        // 0xFFF0 after 5 in ROC 0 would be ROC -1.
        using SrtpContext other = Create(profile);
        byte[] stray = ProtectRtp(other, PlainRtp(0xFFF0, Ssrc, 10));
        Assert.Equal(SrtpResult.ReplayTooOld, UnprotectRtp(receiver, stray, out _));
    }

    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80)]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    public void Rtcp_Duplicate_TooOld_AndReordered(SrtpProfile profile)
    {
        using SrtpContext sender = Create(profile);
        using SrtpContext receiver = Create(profile);
        var wire = new List<byte[]>();
        for (int i = 0; i < 200; i++)
        {
            wire.Add(ProtectRtcp(sender, PlainRtcp(Ssrc, seed: i)));
        }

        Assert.Equal(SrtpResult.Ok, UnprotectRtcp(receiver, wire[199], out _));
        Assert.Equal(SrtpResult.ReplayDuplicate, UnprotectRtcp(receiver, wire[199], out _));
        Assert.Equal(SrtpResult.Ok, UnprotectRtcp(receiver, wire[150], out _));
        Assert.Equal(SrtpResult.Ok, UnprotectRtcp(receiver, wire[72], out _));
        Assert.Equal(SrtpResult.ReplayTooOld, UnprotectRtcp(receiver, wire[71], out _));
        Assert.Equal(SrtpResult.ReplayTooOld, UnprotectRtcp(receiver, wire[0], out _));
    }

    [Fact]
    public void StreamsAreTrackedPerSsrc()
    {
        using SrtpContext sender = Create(SrtpProfile.AeadAes128Gcm);
        using SrtpContext receiver = Create(SrtpProfile.AeadAes128Gcm);

        // The same sequence number on two SSRCs is two different packets.
        Assert.Equal(SrtpResult.Ok, UnprotectRtp(receiver, ProtectRtp(sender, PlainRtp(7, 1, 10)), out _));
        Assert.Equal(SrtpResult.Ok, UnprotectRtp(receiver, ProtectRtp(sender, PlainRtp(7, 2, 10)), out _));
        Assert.Equal(2, receiver.StreamCount);
    }

    [Fact]
    public void StreamCap_RefusesNewSsrcs_ButServesKnownOnes()
    {
        using SrtpContext sender = Create(SrtpProfile.AeadAes128Gcm);
        byte[] buffer = new byte[64];
        for (uint ssrc = 1; ssrc <= SrtpContext.MaxStreams; ssrc++)
        {
            byte[] plain = PlainRtp(1, ssrc, 4);
            plain.CopyTo(buffer, 0);
            Assert.Equal(SrtpResult.Ok, sender.ProtectRtp(buffer, plain.Length, out _));
        }

        byte[] extra = PlainRtp(1, SrtpContext.MaxStreams + 1, 4);
        extra.CopyTo(buffer, 0);
        Assert.Equal(SrtpResult.TooManyStreams, sender.ProtectRtp(buffer, extra.Length, out _));
        byte[] rtcp = new byte[64];
        PlainRtcp(SrtpContext.MaxStreams + 1).CopyTo(rtcp, 0);
        Assert.Equal(SrtpResult.TooManyStreams, sender.ProtectRtcp(rtcp, 32, out _));

        byte[] known = PlainRtp(2, 1, 4);
        known.CopyTo(buffer, 0);
        Assert.Equal(SrtpResult.Ok, sender.ProtectRtp(buffer, known.Length, out _));
    }
}

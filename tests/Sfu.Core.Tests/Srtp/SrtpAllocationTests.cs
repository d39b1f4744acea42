using Sfu.Core.Srtp;
using static Sfu.Core.Tests.Srtp.SrtpTestSupport;

namespace Sfu.Core.Tests.Srtp;

/// <summary>The hot path allocates nothing per packet once an SSRC is known.</summary>
public sealed class SrtpAllocationTests
{
    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80)]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    public void ProtectAndUnprotect_1200BytePackets_AllocateNothing(SrtpProfile profile)
    {
        using SrtpContext sender = Create(profile);
        using SrtpContext receiver = Create(profile);
        byte[] plain = PlainRtp(0, 0xA110C, 1200, csrcCount: 1, extensionWords: 1);
        byte[] rtcp = PlainRtcp(0xA110C);
        var buffer = new byte[plain.Length + SrtpContext.MaxRtpOverhead];
        var rtcpBuffer = new byte[rtcp.Length + SrtpContext.MaxRtcpOverhead];
        plain.CopyTo(buffer, 0);
        rtcp.CopyTo(rtcpBuffer, 0);
        ushort sequence = 0;

        void RoundTrip()
        {
            // In place both ways: after unprotect the buffer holds the plain packet again.
            buffer[2] = (byte)(sequence >> 8);
            buffer[3] = (byte)sequence;
            sequence++;
            Check(sender.ProtectRtp(buffer, plain.Length, out int wireLength));
            Check(receiver.UnprotectRtp(buffer.AsSpan(0, wireLength), out _));
            Check(sender.ProtectRtcp(rtcpBuffer, rtcp.Length, out int rtcpLength));
            Check(receiver.UnprotectRtcp(rtcpBuffer.AsSpan(0, rtcpLength), out _));
        }

        Assert.Equal(0, Allocations.Measure(RoundTrip, warmUp: 200));
        Assert.Equal(plain[4..], buffer[4..plain.Length]);
    }

    private static void Check(SrtpResult result)
    {
        if (result != SrtpResult.Ok)
        {
            throw new InvalidOperationException(result.ToString());
        }
    }
}

using Sfu.Core.Srtp;
using static Sfu.Core.Tests.Srtp.SrtpTestSupport;

namespace Sfu.Core.Tests.Srtp;

/// <summary>
/// A sender's <see cref="SrtpSendHandle"/> skips the lookup of its SSRC's state, and must never
/// lend one SSRC's rollover counter (RFC 3711 §3.3.1) to another SSRC or to another context: the
/// same packets protected with one handle passed around and by contexts driven without one come
/// out byte for byte the same.
/// </summary>
public sealed class SrtpSendHandleTests
{
    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80)]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    public void A_handle_passed_to_another_ssrc_or_context_is_refilled_and_never_lends_its_rollover_counter(SrtpProfile profile)
    {
        using SrtpContext a = Create(profile);
        using SrtpContext b = Create(profile);
        using SrtpContext referenceA = Create(profile);
        using SrtpContext referenceB = Create(profile);
        SrtpSendHandle handle = default;

        // SSRC 1 wraps its sequence numbers: its ROC becomes 1. Then SSRC 2 on the same context,
        // and SSRC 1 on another context, both with ROC 0, all through the one handle.
        (SrtpContext Context, SrtpContext Reference, ushort Sequence, uint Ssrc)[] steps =
        [
            (a, referenceA, 65534, 1), (a, referenceA, 65535, 1), (a, referenceA, 0, 1), (a, referenceA, 1, 1),
            (a, referenceA, 7, 2),
            (b, referenceB, 2, 1),
            (a, referenceA, 2, 1),
        ];
        foreach ((SrtpContext context, SrtpContext reference, ushort sequence, uint ssrc) in steps)
        {
            byte[] plain = PlainRtp(sequence, ssrc, 100);
            byte[] buffer = new byte[plain.Length + SrtpContext.MaxRtpOverhead];
            plain.CopyTo(buffer, 0);

            Assert.Equal(SrtpResult.Ok, context.ProtectRtp(buffer, plain.Length, ref handle, out int length));

            Assert.Equal(ProtectRtp(reference, plain), buffer[..length]);
        }
    }
}

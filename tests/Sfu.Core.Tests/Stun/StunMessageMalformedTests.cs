using Sfu.Core.Stun;

namespace Sfu.Core.Tests.Stun;

public class StunMessageMalformedTests
{
    [Theory]
    // Empty datagram.
    [InlineData("", StunParseResult.TooShort)]
    // 19 bytes: one short of a header.
    [InlineData("0001000021 12a442 b7e7a701bc34d686fa87df", StunParseResult.TooShort)]
    // First byte 0x40: top bits must be zero (RFC 8489 §5).
    [InlineData("4001000021 12a442 b7e7a701bc34d686fa87dfae", StunParseResult.NotStun)]
    // Wrong magic cookie (RFC 3489 style message).
    [InlineData("0001000021 12a443 b7e7a701bc34d686fa87dfae", StunParseResult.NotStun)]
    // Length 4 but no body.
    [InlineData("0001000421 12a442 b7e7a701bc34d686fa87dfae", StunParseResult.BadLength)]
    // Length 2 with 2 body bytes: not a multiple of 4.
    [InlineData("0001000221 12a442 b7e7a701bc34d686fa87dfae 0000", StunParseResult.BadLength)]
    // Length 0 with 4 trailing bytes: datagram longer than the message.
    [InlineData("0001000021 12a442 b7e7a701bc34d686fa87dfae 00000000", StunParseResult.BadLength)]
    // USERNAME claims 8 value bytes but only 4 follow.
    [InlineData("0001000821 12a442 b7e7a701bc34d686fa87dfae 00060008 61626364", StunParseResult.AttributeOverrun)]
    // USERNAME of 5 bytes whose padding is missing from the body (5 + 4 header = 9 > 8).
    [InlineData("0001000821 12a442 b7e7a701bc34d686fa87dfae 00060005 61626364", StunParseResult.AttributeOverrun)]
    // MESSAGE-INTEGRITY with a 4-byte value.
    [InlineData("0001000821 12a442 b7e7a701bc34d686fa87dfae 00080004 00000000", StunParseResult.BadMessageIntegrityLength)]
    // FINGERPRINT with an 8-byte value.
    [InlineData("0001000c21 12a442 b7e7a701bc34d686fa87dfae 80280008 0000000000000000", StunParseResult.BadFingerprintLength)]
    // PRIORITY after FINGERPRINT.
    [InlineData("0001001021 12a442 b7e7a701bc34d686fa87dfae 80280004 00000000 00240004 00000001", StunParseResult.AttributeAfterFingerprint)]
    // Header only: a valid empty Binding request.
    [InlineData("0001000021 12a442 b7e7a701bc34d686fa87dfae", StunParseResult.Ok)]
    public void TryParse_reports_reason(string hex, StunParseResult expected)
    {
        byte[] bytes = Rfc5769.Hex(hex);
        Assert.Equal(expected, StunMessage.TryParse(bytes, out _));
    }

    [Fact]
    public void Every_truncation_of_every_vector_is_rejected_without_throwing()
    {
        foreach (byte[] vector in new[] { Rfc5769.Request, Rfc5769.Ipv4Response, Rfc5769.Ipv6Response })
        {
            for (int length = 0; length < vector.Length; length++)
            {
                StunParseResult result = StunMessage.TryParse(vector.AsSpan(0, length), out _);
                Assert.NotEqual(StunParseResult.Ok, result);
            }
        }
    }

    [Fact]
    public void Truncations_with_a_patched_length_field_never_throw()
    {
        // Fix the length field up so the walk reaches the attributes and trips on a cut attribute.
        byte[] vector = Rfc5769.Request;
        for (int length = 20; length < vector.Length; length++)
        {
            byte[] cut = vector[..length];
            cut[2] = (byte)((length - 20) >> 8);
            cut[3] = (byte)(length - 20);
            StunParseResult result = StunMessage.TryParse(cut, out StunMessage message);
            if (result == StunParseResult.Ok)
            {
                // Only cuts on attribute boundaries can parse; they must still answer safely.
                Assert.Equal(0, (length - 20) % 4);
                _ = message.VerifyMessageIntegrity("x"u8);
                _ = message.VerifyFingerprint();
                _ = message.Username;
            }
        }
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(5769);
        var buffer = new byte[200];
        int parsed = 0;
        for (int i = 0; i < 20_000; i++)
        {
            int length = random.Next(buffer.Length + 1);
            Span<byte> datagram = buffer.AsSpan(0, length);
            random.NextBytes(datagram);
            if (i % 2 == 0 && length >= 20)
            {
                // Half the time make the header plausible so the attribute walk is exercised.
                datagram[0] &= 0x3F;
                datagram[2] = (byte)((length - 20) >> 8);
                datagram[3] = (byte)((length - 20) & 0xFC);
                datagram[4] = 0x21;
                datagram[5] = 0x12;
                datagram[6] = 0xA4;
                datagram[7] = 0x42;
            }

            if (StunMessage.TryParse(datagram, out StunMessage message) == StunParseResult.Ok)
            {
                parsed++;
                Exercise(message);
            }
        }

        Assert.True(parsed > 0, "the random walk should produce some parseable messages");
    }

    [Fact]
    public void Attributes_after_message_integrity_are_ignored_except_fingerprint()
    {
        // Header, MESSAGE-INTEGRITY (zeros), USE-CANDIDATE, FINGERPRINT.
        byte[] bytes = Rfc5769.Hex("""
            0001002421 12a442 b7e7a701bc34d686fa87dfae
            00080014 0000000000000000000000000000000000000000
            00250000
            80280004 00000000
            """);

        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(bytes, out StunMessage message));
        Assert.False(message.HasUseCandidate);
        Assert.True(message.TryGetAttribute(StunAttributeType.Fingerprint, out _));
        Assert.True(message.TryGetAttribute(StunAttributeType.MessageIntegrity, out ReadOnlySpan<byte> mac));
        Assert.Equal(20, mac.Length);
    }

    [Theory]
    // 401 "Unauthenticated".
    [InlineData("00000401 556e61757468656e74696361746564", 401, "Unauthenticated")]
    // 487 with empty reason.
    [InlineData("00000457", 487, "")]
    // Class 7 is out of range (RFC 8489 §14.8: 3..6).
    [InlineData("00000701", -1, "")]
    // Number 100 is out of range (0..99).
    [InlineData("00000464", -1, "")]
    // Too short for the fixed part.
    [InlineData("000004", -1, "")]
    public void Error_code_parses_or_rejects(string valueHex, int expectedCode, string expectedReason)
    {
        byte[] value = Rfc5769.Hex(valueHex);
        var buffer = new byte[128];
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunClass.ErrorResponse, Rfc5769.TransactionId);
        writer.AddAttribute(StunAttributeType.ErrorCode, value);

        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(writer.Complete(), out StunMessage message));
        bool ok = message.TryGetErrorCode(out int code, out ReadOnlySpan<byte> reason);
        Assert.Equal(expectedCode >= 0, ok);
        if (ok)
        {
            Assert.Equal(expectedCode, code);
            Assert.Equal(expectedReason, System.Text.Encoding.UTF8.GetString(reason));
        }
    }

    [Theory]
    // Family 3 does not exist.
    [InlineData("0003a147e112a643")]
    // IPv4 family with an IPv6-sized value.
    [InlineData("0001a147 0113a9faa5d3f179bc25f4b5bed2b9d9")]
    // IPv6 family with an IPv4-sized value.
    [InlineData("0002a147e112a643")]
    // Too short for family and port.
    [InlineData("0001")]
    public void Bad_xor_mapped_address_is_rejected(string valueHex)
    {
        var buffer = new byte[128];
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunClass.SuccessResponse, Rfc5769.TransactionId);
        writer.AddAttribute(StunAttributeType.XorMappedAddress, Rfc5769.Hex(valueHex));

        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(writer.Complete(), out StunMessage message));
        Assert.False(message.TryGetXorMappedAddress(out _));
    }

    private static void Exercise(StunMessage message)
    {
        _ = message.Method;
        _ = message.Class;
        _ = message.Username;
        _ = message.HasUseCandidate;
        _ = message.TryGetPriority(out _);
        _ = message.TryGetIceControlled(out _);
        _ = message.TryGetIceControlling(out _);
        _ = message.TryGetErrorCode(out _, out _);
        _ = message.TryGetXorMappedAddress(out _);
        _ = message.VerifyMessageIntegrity("key"u8);
        _ = message.VerifyFingerprint();
    }
}

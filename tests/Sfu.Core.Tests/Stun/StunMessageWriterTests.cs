using System.Net;
using System.Text;
using Sfu.Core.Stun;

namespace Sfu.Core.Tests.Stun;

public class StunMessageWriterTests
{
    [Theory]
    // Binding request: 0x0001 (RFC 8489 §5).
    [InlineData(StunClass.Request, 0x0001)]
    // Binding indication: C0 set, 0x0011.
    [InlineData(StunClass.Indication, 0x0011)]
    // Binding success response: C1 set, 0x0101.
    [InlineData(StunClass.SuccessResponse, 0x0101)]
    // Binding error response: both, 0x0111.
    [InlineData(StunClass.ErrorResponse, 0x0111)]
    public void Header_encodes_method_and_class(StunClass messageClass, int expectedType)
    {
        var buffer = new byte[20];
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, messageClass, Rfc5769.TransactionId);

        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(writer.Complete(), out StunMessage message));
        Assert.Equal(expectedType, message.MessageType);
        Assert.Equal(messageClass, message.Class);
        Assert.Equal(StunMethod.Binding, message.Method);
    }

    [Theory]
    // The largest 12-bit method with every class exercises all interleaved bit positions.
    [InlineData(0x0FFF, StunClass.ErrorResponse, 0x3FFF)]
    [InlineData(0x0FFF, StunClass.Request, 0x3EEF)]
    // Method 0x080 (bit M7) lands at type bit 9.
    [InlineData(0x0080, StunClass.Request, 0x0200)]
    // Method 0x010 (bit M4) lands at type bit 5.
    [InlineData(0x0010, StunClass.Request, 0x0020)]
    public void Type_interleaving_matches_rfc_8489_section_5(int method, StunClass messageClass, int expectedType)
    {
        var buffer = new byte[20];
        var writer = new StunMessageWriter(buffer, (StunMethod)method, messageClass, Rfc5769.TransactionId);

        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(writer.Complete(), out StunMessage message));
        Assert.Equal(expectedType, message.MessageType);
        Assert.Equal((StunMethod)method, message.Method);
        Assert.Equal(messageClass, message.Class);
    }

    [Theory]
    // 1 byte value: 3 padding bytes.
    [InlineData(1, 8)]
    // 4 byte value: no padding.
    [InlineData(4, 8)]
    // 5 byte value: 3 padding bytes.
    [InlineData(5, 12)]
    // Empty value: header only.
    [InlineData(0, 4)]
    public void Attributes_are_zero_padded_to_four_bytes(int valueLength, int expectedAttributeBytes)
    {
        var buffer = new byte[64];
        buffer.AsSpan().Fill(0xEE);
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunClass.Request, Rfc5769.TransactionId);
        writer.AddAttribute(StunAttributeType.Software, Enumerable.Repeat((byte)'a', valueLength).ToArray());

        Assert.Equal(20 + expectedAttributeBytes, writer.Length);
        Assert.All(buffer[(24 + valueLength)..writer.Length], b => Assert.Equal(0, b));
        Assert.Equal(expectedAttributeBytes, (buffer[2] << 8) | buffer[3]);
    }

    [Fact]
    public void Error_code_round_trips()
    {
        var buffer = new byte[64];
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunClass.ErrorResponse, Rfc5769.TransactionId);
        writer.AddErrorCode(487, "Role Conflict");

        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(writer.Complete(), out StunMessage message));
        Assert.True(message.TryGetErrorCode(out int code, out ReadOnlySpan<byte> reason));
        Assert.Equal(487, code);
        Assert.Equal("Role Conflict", Encoding.UTF8.GetString(reason));
    }

    [Fact]
    public void Too_small_buffer_throws_argument_exception()
    {
        var buffer = new byte[24];
        Assert.Throws<ArgumentException>(() =>
        {
            var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunClass.Request, Rfc5769.TransactionId);
            writer.AddPriority(1);
        });
    }

    [Fact]
    public void Round_trip_with_random_content()
    {
        var random = new Random(8489);
        var buffer = new byte[512];
        var transactionId = new byte[12];
        var key = new byte[22];
        for (int i = 0; i < 500; i++)
        {
            random.NextBytes(transactionId);
            random.NextBytes(key);
            var username = new byte[random.Next(1, 64)];
            random.NextBytes(username);
            uint priority = (uint)random.NextInt64(0, uint.MaxValue + 1L);
            ulong tieBreaker = (ulong)random.NextInt64();
            bool useCandidate = random.Next(2) == 0;
            bool controlling = random.Next(2) == 0;
            var addressBytes = new byte[random.Next(2) == 0 ? 4 : 16];
            random.NextBytes(addressBytes);
            var mapped = new IPEndPoint(new IPAddress(addressBytes), random.Next(0, 65536));

            var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunClass.Request, transactionId);
            writer.AddUsername(username);
            writer.AddPriority(priority);
            if (controlling)
            {
                writer.AddIceControlling(tieBreaker);
            }
            else
            {
                writer.AddIceControlled(tieBreaker);
            }

            if (useCandidate)
            {
                writer.AddUseCandidate();
            }

            writer.AddXorMappedAddress(mapped);
            writer.AddMessageIntegrity(key);
            writer.AddFingerprint();

            Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(writer.Complete(), out StunMessage message));
            Assert.Equal(transactionId, message.TransactionId.ToArray());
            Assert.Equal(username, message.Username.ToArray());
            Assert.True(message.TryGetPriority(out uint readPriority));
            Assert.Equal(priority, readPriority);
            ulong readTieBreaker;
            Assert.True(controlling ? message.TryGetIceControlling(out readTieBreaker) : message.TryGetIceControlled(out readTieBreaker));
            Assert.Equal(tieBreaker, readTieBreaker);
            Assert.Equal(useCandidate, message.HasUseCandidate);
            Assert.True(message.TryGetXorMappedAddress(out IPEndPoint? readMapped));
            Assert.Equal(mapped, readMapped);
            Assert.True(message.VerifyMessageIntegrity(key));
            Assert.True(message.VerifyFingerprint());
            key[0] ^= 1;
            Assert.False(message.VerifyMessageIntegrity(key));
        }
    }

    [Fact]
    public void Large_message_integrity_uses_the_pooled_path()
    {
        // A 2000-byte SOFTWARE pushes the signed prefix beyond the stack copy limit.
        var buffer = new byte[2200];
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunClass.Request, Rfc5769.TransactionId);
        writer.AddAttribute(StunAttributeType.Software, new byte[2000]);
        writer.AddMessageIntegrity("k"u8);

        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(writer.Complete(), out StunMessage message));
        Assert.True(message.VerifyMessageIntegrity("k"u8));
        Assert.False(message.VerifyMessageIntegrity("j"u8));
    }
}

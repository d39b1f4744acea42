using System.Net;
using System.Text;
using Sfu.Core.Stun;

namespace Sfu.Core.Tests.Stun;

public class StunMessageVectorTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes(Rfc5769.Password);

    [Theory]
    // RFC 5769 §2.1: a Binding request (type 0x0001).
    [InlineData(nameof(Rfc5769.Request), StunClass.Request)]
    // RFC 5769 §2.2: a Binding success response (type 0x0101) carrying IPv4.
    [InlineData(nameof(Rfc5769.Ipv4Response), StunClass.SuccessResponse)]
    // RFC 5769 §2.3: a Binding success response carrying IPv6.
    [InlineData(nameof(Rfc5769.Ipv6Response), StunClass.SuccessResponse)]
    public void Rfc5769_vectors_parse_and_verify(string vector, StunClass expectedClass)
    {
        byte[] bytes = Rfc5769.ByName(vector);

        Assert.True(StunMessage.IsStun(bytes));
        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(bytes, out StunMessage message));
        Assert.Equal(StunMethod.Binding, message.Method);
        Assert.Equal(expectedClass, message.Class);
        Assert.Equal(Rfc5769.TransactionId, message.TransactionId.ToArray());
        Assert.True(message.HasMessageIntegrity);
        Assert.True(message.HasFingerprint);
        Assert.True(message.VerifyMessageIntegrity(Key));
        Assert.True(message.VerifyFingerprint());
        Assert.False(message.VerifyMessageIntegrity("VOkJxbRl1RmTxUk/WvJxBu"u8));
    }

    [Fact]
    public void Rfc5769_request_exposes_ice_attributes()
    {
        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(Rfc5769.Request, out StunMessage message));

        Assert.Equal("evtj:h6vY", Encoding.ASCII.GetString(message.Username));
        Assert.True(message.TryGetPriority(out uint priority));
        Assert.Equal(0x6e0001ffu, priority);
        Assert.True(message.TryGetIceControlled(out ulong tieBreaker));
        Assert.Equal(0x932ff9b151263b36ul, tieBreaker);
        Assert.False(message.TryGetIceControlling(out _));
        Assert.False(message.HasUseCandidate);
        Assert.True(message.TryGetAttribute(StunAttributeType.Software, out ReadOnlySpan<byte> software));
        Assert.Equal("STUN test client", Encoding.ASCII.GetString(software));
        Assert.Equal(0x0001, message.MessageType);
    }

    [Theory]
    // RFC 5769 §2.2: 192.0.2.1 port 32853.
    [InlineData(nameof(Rfc5769.Ipv4Response), "192.0.2.1", 32853)]
    // RFC 5769 §2.3: 2001:db8:1234:5678:11:2233:4455:6677 port 32853.
    [InlineData(nameof(Rfc5769.Ipv6Response), "2001:db8:1234:5678:11:2233:4455:6677", 32853)]
    public void Rfc5769_responses_decode_xor_mapped_address(string vector, string address, int port)
    {
        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(Rfc5769.ByName(vector), out StunMessage message));

        Assert.True(message.TryGetXorMappedAddress(out IPEndPoint? endPoint));
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), endPoint);
    }

    [Theory]
    // Byte 30 sits inside SOFTWARE: covered by both the HMAC and the CRC.
    [InlineData(30, false, false)]
    // Byte 10 is inside the transaction ID: covered by both.
    [InlineData(10, false, false)]
    // Byte 80 is inside the MESSAGE-INTEGRITY value: HMAC fails, CRC (which covers it) fails too.
    [InlineData(80, false, false)]
    // Byte 104 is inside the FINGERPRINT value: only the CRC check fails.
    [InlineData(104, true, false)]
    public void Rfc5769_request_detects_tampering(int index, bool integrityStillValid, bool fingerprintStillValid)
    {
        byte[] bytes = (byte[])Rfc5769.Request.Clone();
        bytes[index] ^= 0x01;

        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(bytes, out StunMessage message));
        Assert.Equal(integrityStillValid, message.VerifyMessageIntegrity(Key));
        Assert.Equal(fingerprintStillValid, message.VerifyFingerprint());
    }

    [Theory]
    // Request: SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME, MESSAGE-INTEGRITY, FINGERPRINT.
    [InlineData(nameof(Rfc5769.Request))]
    // IPv4 response: SOFTWARE, XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY, FINGERPRINT.
    [InlineData(nameof(Rfc5769.Ipv4Response))]
    // IPv6 response: same with a 16-byte address.
    [InlineData(nameof(Rfc5769.Ipv6Response))]
    public void Writer_reproduces_rfc5769_vectors_byte_for_byte(string vector)
    {
        byte[] expected = Rfc5769.ByName(vector);
        var buffer = new byte[256];

        int length = vector switch
        {
            nameof(Rfc5769.Request) => WriteRequest(buffer),
            nameof(Rfc5769.Ipv4Response) => WriteResponse(buffer, new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853)),
            _ => WriteResponse(buffer, new IPEndPoint(IPAddress.Parse("2001:db8:1234:5678:11:2233:4455:6677"), 32853)),
        };

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(buffer, 0, length));
    }

    [Fact]
    public void Writer_socket_address_overload_matches_end_point_overload()
    {
        var endPoint = new IPEndPoint(IPAddress.Parse("2001:db8:1234:5678:11:2233:4455:6677"), 32853);
        var fromEndPoint = new byte[256];
        var fromSocketAddress = new byte[256];

        int a = WriteResponse(fromEndPoint, endPoint);
        int b = WriteResponse(fromSocketAddress, endPoint.Serialize());

        Assert.Equal(Convert.ToHexString(Rfc5769.Ipv6Response), Convert.ToHexString(fromSocketAddress, 0, b));
        Assert.Equal(a, b);
    }

    [Fact]
    public void Writer_socket_address_overload_handles_ipv4()
    {
        var buffer = new byte[256];
        int length = WriteResponse(buffer, new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853).Serialize());

        Assert.Equal(Convert.ToHexString(Rfc5769.Ipv4Response), Convert.ToHexString(buffer, 0, length));
    }

    private static int WriteRequest(Span<byte> buffer)
    {
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunClass.Request, Rfc5769.TransactionId) { PaddingByte = 0x20 };
        writer.AddAttribute(StunAttributeType.Software, "STUN test client"u8);
        writer.AddPriority(0x6e0001ff);
        writer.AddIceControlled(0x932ff9b151263b36);
        writer.AddUsername("evtj:h6vY");
        writer.AddMessageIntegrity(Key);
        writer.AddFingerprint();
        return writer.Length;
    }

    private static int WriteResponse(Span<byte> buffer, IPEndPoint mapped)
    {
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunClass.SuccessResponse, Rfc5769.TransactionId) { PaddingByte = 0x20 };
        writer.AddAttribute(StunAttributeType.Software, "test vector"u8);
        writer.AddXorMappedAddress(mapped);
        writer.AddMessageIntegrity(Key);
        writer.AddFingerprint();
        return writer.Complete().Length;
    }

    private static int WriteResponse(Span<byte> buffer, SocketAddress mapped)
    {
        var writer = new StunMessageWriter(buffer, 0x0101, Rfc5769.TransactionId) { PaddingByte = 0x20 };
        writer.AddAttribute(StunAttributeType.Software, "test vector"u8);
        writer.AddXorMappedAddress(mapped);
        writer.AddMessageIntegrity(Key);
        writer.AddFingerprint();
        return writer.Length;
    }
}

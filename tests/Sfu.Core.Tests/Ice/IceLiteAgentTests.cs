using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Sfu.Core.Ice;
using Sfu.Core.Stun;

namespace Sfu.Core.Tests.Ice;

public class IceLiteAgentTests
{
    private const string GoodUsername = "srvUfrag:brws";
    private static readonly string ServerPassword = IceTestPeer.Server.Password;
    private static readonly byte[] ServerKey = Encoding.ASCII.GetBytes(ServerPassword);

    public static TheoryData<string, IceCheckOutcome, int, bool> Cases => new()
    {
        // A proper check: success, signed, address selected.
        { "good", IceCheckOutcome.Accepted, 0, true },
        // The same with USE-CANDIDATE: nominated.
        { "use-candidate", IceCheckOutcome.Nominated, 0, true },
        // Signed with some other password: 401, unsigned (RFC 8489 §9.1.3).
        { "wrong-password", IceCheckOutcome.Unauthorized, 401, false },
        // Our ufrag wrong: 401.
        { "wrong-local-ufrag", IceCheckOutcome.Unauthorized, 401, false },
        // Their ufrag differs from the remote description: 401.
        { "wrong-remote-ufrag", IceCheckOutcome.Unauthorized, 401, false },
        // USERNAME without the colon separator: 401.
        { "no-colon", IceCheckOutcome.Unauthorized, 401, false },
        // No MESSAGE-INTEGRITY at all: 400 (RFC 8489 §9.1.3).
        { "missing-integrity", IceCheckOutcome.BadRequest, 400, false },
        // No USERNAME: 400.
        { "missing-username", IceCheckOutcome.BadRequest, 400, false },
        // Peer also claims controlled: signed 487 (RFC 8445 §7.3.1.1).
        { "ice-controlled", IceCheckOutcome.RoleConflict, 487, true },
        // FINGERPRINT wrong: dropped without answer (RFC 8489 §7.3).
        { "bad-fingerprint", IceCheckOutcome.Malformed, -1, false },
        // A Binding indication (keepalive, RFC 8445 §11): ignored.
        { "indication", IceCheckOutcome.NotBindingRequest, -1, false },
        // A stray success response: ignored.
        { "response", IceCheckOutcome.NotBindingRequest, -1, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Outcome_and_response_per_case(string name, IceCheckOutcome expected, int expectedErrorCode, bool expectSigned)
    {
        byte[] request = name switch
        {
            "good" => IceTestPeer.Check(),
            "use-candidate" => IceTestPeer.Check(useCandidate: true),
            "wrong-password" => IceTestPeer.Custom(GoodUsername, "notTheServerPasswordAtAll"),
            "wrong-local-ufrag" => IceTestPeer.Custom("xxxxxxxx:brws", ServerPassword),
            "wrong-remote-ufrag" => IceTestPeer.Custom("srvUfrag:evil", ServerPassword),
            "no-colon" => IceTestPeer.Custom("srvUfragbrws", ServerPassword),
            "missing-integrity" => IceTestPeer.Custom(GoodUsername, null),
            "missing-username" => IceTestPeer.Custom(null, ServerPassword),
            "ice-controlled" => IceTestPeer.Custom(GoodUsername, ServerPassword, controlled: true),
            "bad-fingerprint" => IceTestPeer.Custom(GoodUsername, ServerPassword, corruptFingerprint: true),
            "indication" => IceTestPeer.Custom(GoodUsername, ServerPassword, messageClass: StunClass.Indication),
            "response" => IceTestPeer.Custom(GoodUsername, ServerPassword, messageClass: StunClass.SuccessResponse),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        var agent = new IceLiteAgent(IceTestPeer.Server, "brws", new FakeTimeProvider());
        SocketAddress source = IceTestPeer.Address("203.0.113.7", 50000);
        var response = new byte[IceLiteAgent.MaxResponseLength];

        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(request, out StunMessage message));
        IceCheckOutcome outcome = agent.ProcessBindingRequest(message, source, response, out int length);

        Assert.Equal(expected, outcome);
        bool valid = expected is IceCheckOutcome.Accepted or IceCheckOutcome.Nominated;
        Assert.Equal(valid, agent.SelectedAddress is not null);
        if (expectedErrorCode < 0)
        {
            Assert.Equal(0, length);
            return;
        }

        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(response.AsSpan(0, length), out StunMessage answer));
        Assert.Equal(IceTestPeer.TransactionId, answer.TransactionId.ToArray());
        Assert.True(answer.VerifyFingerprint());
        Assert.Equal(expectSigned, answer.HasMessageIntegrity);
        if (expectSigned)
        {
            Assert.True(answer.VerifyMessageIntegrity(ServerKey));
        }

        if (expectedErrorCode == 0)
        {
            Assert.Equal(StunClass.SuccessResponse, answer.Class);
            Assert.True(answer.TryGetXorMappedAddress(out IPEndPoint? mapped));
            Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 50000), mapped);
        }
        else
        {
            Assert.Equal(StunClass.ErrorResponse, answer.Class);
            Assert.True(answer.TryGetErrorCode(out int code, out _));
            Assert.Equal(expectedErrorCode, code);
        }
    }

    [Theory]
    // Unknown remote ufrag: any sender part is accepted with the right password.
    [InlineData(null, "srvUfrag:whoever", true)]
    // Empty string is treated as unknown too.
    [InlineData("", "srvUfrag:zz", true)]
    // Our ufrag must still match.
    [InlineData(null, "srvUfraX:whoever", false)]
    // An ufrag that merely starts with ours is not ours.
    [InlineData(null, "srvUfrag2:whoever", false)]
    public void Unknown_remote_ufrag_accepts_any_sender(string? remoteUfrag, string username, bool accepted)
    {
        var agent = new IceLiteAgent(IceTestPeer.Server, remoteUfrag, new FakeTimeProvider());
        var response = new byte[IceLiteAgent.MaxResponseLength];
        StunMessage.TryParse(IceTestPeer.Custom(username, ServerPassword), out StunMessage message);

        IceCheckOutcome outcome = agent.ProcessBindingRequest(message, IceTestPeer.Address("192.0.2.1", 1), response, out _);

        Assert.Equal(accepted ? IceCheckOutcome.Accepted : IceCheckOutcome.Unauthorized, outcome);
    }

    [Fact]
    public void Ipv6_source_fits_the_response_buffer()
    {
        var agent = new IceLiteAgent(IceTestPeer.Server, "brws", new FakeTimeProvider());
        var response = new byte[IceLiteAgent.MaxResponseLength];
        StunMessage.TryParse(IceTestPeer.Check(), out StunMessage message);

        agent.ProcessBindingRequest(message, IceTestPeer.Address("2001:db8::7", 443), response, out int length);

        Assert.Equal(IceLiteAgent.MaxResponseLength, length);
        StunMessage.TryParse(response.AsSpan(0, length), out StunMessage answer);
        Assert.True(answer.TryGetXorMappedAddress(out IPEndPoint? mapped));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::7"), 443), mapped);
    }

    [Fact]
    public void Empty_view_is_malformed()
    {
        var agent = new IceLiteAgent(IceTestPeer.Server, "brws", new FakeTimeProvider());
        var response = new byte[IceLiteAgent.MaxResponseLength];

        Assert.Equal(IceCheckOutcome.Malformed, agent.ProcessBindingRequest(default, IceTestPeer.Address("192.0.2.1", 1), response, out int length));
        Assert.Equal(0, length);
    }
}

using System.Text;
using Microsoft.Extensions.Time.Testing;
using Sfu.Core.Ice;
using Sfu.Core.Stun;

namespace Sfu.Core.Tests.Ice;

public class IceClientSideTests
{
    [Fact]
    public void Built_request_carries_the_controlling_check_attributes()
    {
        byte[] request = IceTestPeer.Check(useCandidate: true);

        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(request, out StunMessage message));
        Assert.Equal(StunClass.Request, message.Class);
        Assert.Equal("srvUfrag:brws", Encoding.ASCII.GetString(message.Username));
        Assert.True(message.TryGetPriority(out uint priority));
        Assert.Equal(0x6e0001ffu, priority);
        Assert.True(message.TryGetIceControlling(out ulong tieBreaker));
        Assert.Equal(0x1122334455667788ul, tieBreaker);
        Assert.True(message.HasUseCandidate);
        Assert.True(message.VerifyMessageIntegrity(Encoding.ASCII.GetBytes(IceTestPeer.Server.Password)));
        Assert.True(message.VerifyFingerprint());
    }

    [Theory]
    // The agent's answer to our own check: authenticated success.
    [InlineData("as-is", true)]
    // Someone else's transaction.
    [InlineData("other-transaction", false)]
    // Validated with the wrong password.
    [InlineData("wrong-password", false)]
    // Flipped bit in the mapped address: FINGERPRINT (and HMAC) fail.
    [InlineData("tampered", false)]
    public void Response_validation(string variant, bool expected)
    {
        var agent = new IceLiteAgent(IceTestPeer.Server, "brws", new FakeTimeProvider());
        StunMessage.TryParse(IceTestPeer.Check(), out StunMessage request);
        var response = new byte[IceLiteAgent.MaxResponseLength];
        Assert.Equal(IceCheckOutcome.Accepted, agent.ProcessBindingRequest(request, IceTestPeer.Address("192.0.2.1", 9), response, out int length));
        byte[] answer = response[..length];
        byte[] transactionId = (byte[])IceTestPeer.TransactionId.Clone();
        IceCredentials remote = IceTestPeer.Server;
        switch (variant)
        {
            case "other-transaction":
                transactionId[0] ^= 1;
                break;
            case "wrong-password":
                remote = new IceCredentials("srvUfrag", "notTheServerPasswordXXXX");
                break;
            case "tampered":
                answer[27] ^= 1;
                break;
        }

        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(answer, out StunMessage message));
        Assert.Equal(expected, IceBindingResponseValidator.IsAuthenticatedSuccess(message, transactionId, remote));
    }

    [Fact]
    public void Error_response_is_not_a_success()
    {
        var agent = new IceLiteAgent(IceTestPeer.Server, "brws", new FakeTimeProvider());
        StunMessage.TryParse(IceTestPeer.Custom("srvUfrag:brws", IceTestPeer.Server.Password, controlled: true), out StunMessage request);
        var response = new byte[IceLiteAgent.MaxResponseLength];
        agent.ProcessBindingRequest(request, IceTestPeer.Address("192.0.2.1", 9), response, out int length);

        StunMessage.TryParse(response.AsSpan(0, length), out StunMessage message);

        // Signed and well-formed, but a 487: not a success.
        Assert.True(message.VerifyMessageIntegrity(Encoding.ASCII.GetBytes(IceTestPeer.Server.Password)));
        Assert.False(IceBindingResponseValidator.IsAuthenticatedSuccess(message, IceTestPeer.TransactionId, IceTestPeer.Server));
    }
}

using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Sfu.Core.Ice;
using Sfu.Core.Stun;

namespace Sfu.Core.Tests.Ice;

/// <summary>
/// ICE restart on the lite side (RFC 8445 §9): new credentials on both sides, the media path
/// kept until the peer nominates another, the old credentials honoured only until the new ones
/// are in use.
/// </summary>
public class IceLiteAgentRestartTests
{
    private static readonly IceCredentials NewServer = new("srvUfrag2", "newServerPasswordnewServer");
    private static readonly SocketAddress A = IceTestPeer.Address("203.0.113.7", 50000);
    private static readonly SocketAddress B = IceTestPeer.Address("198.51.100.9", 40000);

    private readonly FakeTimeProvider _time = new();
    private readonly byte[] _response = new byte[IceLiteAgent.MaxResponseLength];

    public static TheoryData<string, string, string, IceCheckOutcome> FirstCheckAfterRestart => new()
    {
        // The new pair: accepted.
        { "new credentials", "srvUfrag2:brws2", "newServerPasswordnewServer", IceCheckOutcome.Accepted },
        // The old pair, before the peer has applied our answer: still accepted.
        { "old credentials", "srvUfrag:brws", "serverPasswordserverPassword", IceCheckOutcome.Accepted },
        // Our new ufrag with the peer's old one: neither pair, refused.
        { "new local, old remote", "srvUfrag2:brws", "newServerPasswordnewServer", IceCheckOutcome.Unauthorized },
        // Our new ufrag signed with the old password: refused.
        { "new ufrags, old password", "srvUfrag2:brws2", "serverPasswordserverPassword", IceCheckOutcome.Unauthorized },
    };

    [Theory]
    [MemberData(nameof(FirstCheckAfterRestart))]
    public void The_first_check_after_a_restart_is_judged_against_both_pairs(string name, string username, string password, IceCheckOutcome expected)
    {
        _ = name;
        IceLiteAgent restarted = Connected().Restart(NewServer, "brws2");

        IceCheckOutcome outcome = Process(restarted, IceTestPeer.Custom(username, password), A, out StunMessage answer);

        Assert.Equal(expected, outcome);
        if (expected == IceCheckOutcome.Accepted)
        {
            // Signed with the key that authenticated the check, so the peer can verify it.
            Assert.True(answer.VerifyMessageIntegrity(Encoding.ASCII.GetBytes(password)));
        }
    }

    [Fact]
    public void The_old_credentials_stop_working_once_the_new_ones_are_used()
    {
        IceLiteAgent restarted = Connected().Restart(NewServer, "brws2");
        Assert.True(restarted.AcceptsPreviousCredentials);

        Assert.Equal(IceCheckOutcome.Accepted, Process(restarted, IceTestPeer.Custom("srvUfrag2:brws2", NewServer.Password), A, out _));

        Assert.False(restarted.AcceptsPreviousCredentials);
        Assert.Equal(IceCheckOutcome.Unauthorized, Process(restarted, IceTestPeer.Custom("srvUfrag:brws", IceTestPeer.Server.Password), A, out _));
    }

    [Fact]
    public void Media_keeps_its_path_and_consent_until_the_peer_nominates_another()
    {
        IceLiteAgent before = Connected();
        _time.Advance(TimeSpan.FromSeconds(10));
        IceLiteAgent restarted = before.Restart(NewServer, "brws2");

        Assert.True(restarted.IsFromSelected(A));
        Assert.True(restarted.IsNominated);
        Assert.Equal(before.LastConsentTimestamp, restarted.LastConsentTimestamp);

        // A plain check from elsewhere does not move media; a nomination does (RFC 8445 §7.3.1.5).
        Process(restarted, IceTestPeer.Custom("srvUfrag2:brws2", NewServer.Password), B, out _);
        Assert.True(restarted.IsFromSelected(A));
        Process(restarted, IceTestPeer.Custom("srvUfrag2:brws2", NewServer.Password, useCandidate: true), B, out _);
        Assert.True(restarted.IsFromSelected(B));
    }

    [Fact]
    public void An_agent_that_never_connected_restarts_with_nothing_selected()
    {
        IceLiteAgent restarted = new IceLiteAgent(IceTestPeer.Server, "brws", _time).Restart(NewServer, "brws2");

        Assert.Null(restarted.SelectedAddress);
        Assert.Equal(IceCheckOutcome.Nominated, Process(restarted, IceTestPeer.Custom("srvUfrag2:brws2", NewServer.Password, useCandidate: true), B, out _));
        Assert.True(restarted.IsFromSelected(B));
    }

    /// <summary>An agent whose peer completed ICE from <see cref="A"/> with the first credentials.</summary>
    private IceLiteAgent Connected()
    {
        var agent = new IceLiteAgent(IceTestPeer.Server, "brws", _time);
        Assert.Equal(IceCheckOutcome.Nominated, Process(agent, IceTestPeer.Check(useCandidate: true), A, out _));
        return agent;
    }

    private IceCheckOutcome Process(IceLiteAgent agent, byte[] request, SocketAddress source, out StunMessage answer)
    {
        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(request, out StunMessage message));
        IceCheckOutcome outcome = agent.ProcessBindingRequest(message, source, _response, out int length);
        answer = default;
        if (length > 0)
        {
            Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(_response.AsSpan(0, length), out answer));
        }

        return outcome;
    }
}

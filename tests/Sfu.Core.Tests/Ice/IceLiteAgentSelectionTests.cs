using System.Net;
using Microsoft.Extensions.Time.Testing;
using Sfu.Core.Ice;
using Sfu.Core.Stun;

namespace Sfu.Core.Tests.Ice;

public class IceLiteAgentSelectionTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly IceLiteAgent _agent;
    private readonly byte[] _response = new byte[IceLiteAgent.MaxResponseLength];

    public IceLiteAgentSelectionTests() => _agent = new IceLiteAgent(IceTestPeer.Server, "brws", _time);

    private static readonly SocketAddress A = IceTestPeer.Address("203.0.113.7", 50000);
    private static readonly SocketAddress B = IceTestPeer.Address("198.51.100.9", 40000);

    [Theory]
    // Plain check from B after A selected: selection stays on A.
    [InlineData("good", false, "203.0.113.7")]
    // Nominating check from B: selection moves to B (RFC 8445 §7.3.1.5).
    [InlineData("good", true, "198.51.100.9")]
    // Wrong password with USE-CANDIDATE from B: no move.
    [InlineData("wrong-password", true, "203.0.113.7")]
    // Missing integrity with USE-CANDIDATE from B: no move.
    [InlineData("no-integrity", true, "203.0.113.7")]
    // Role conflict with USE-CANDIDATE from B: no move.
    [InlineData("controlled", true, "203.0.113.7")]
    public void Selection_moves_only_on_authenticated_nomination(string kind, bool useCandidate, string expectedIp)
    {
        Process(IceTestPeer.Check(), A);
        Assert.True(_agent.IsFromSelected(A));

        byte[] second = kind switch
        {
            "good" => IceTestPeer.Check(useCandidate),
            "wrong-password" => IceTestPeer.Custom("srvUfrag:brws", "someOtherPasswordXXXXXXX", useCandidate),
            "no-integrity" => IceTestPeer.Custom("srvUfrag:brws", null, useCandidate),
            _ => IceTestPeer.Custom("srvUfrag:brws", IceTestPeer.Server.Password, useCandidate, controlled: true),
        };
        Process(second, B);

        Assert.Equal(new IPEndPoint(IPAddress.Parse(expectedIp), expectedIp == "203.0.113.7" ? 50000 : 40000), IceTestPeer.ToEndPoint(_agent.SelectedAddress!));
        Assert.Equal(expectedIp == "198.51.100.9", _agent.IsFromSelected(B));
    }

    [Theory]
    // A peer that nominates every pair (Firefox: UDP, then TCP of lower priority) stays on the better one.
    [InlineData(0x6e0001ffu, 0x6d0001ffu, 0, "203.0.113.7")]
    // The same, once the selected pair has been quiet for longer than a browser's check interval: the peer moved.
    [InlineData(0x6e0001ffu, 0x6d0001ffu, 5, "198.51.100.9")]
    // A nomination of equal or higher priority moves at once (NAT rebinding, a better path).
    [InlineData(0x6e0001ffu, 0x6e0001ffu, 0, "198.51.100.9")]
    [InlineData(0x6d0001ffu, 0x6e0001ffu, 0, "198.51.100.9")]
    public void A_nominated_pair_gives_way_to_a_lower_priority_nomination_only_when_quiet(uint first, uint second, int quietSeconds, string expectedIp)
    {
        Process(IceTestPeer.Custom("srvUfrag:brws", IceTestPeer.Server.Password, useCandidate: true, priority: first), A);
        _time.Advance(TimeSpan.FromSeconds(quietSeconds));
        Assert.Equal(IceCheckOutcome.Nominated, Process(IceTestPeer.Custom("srvUfrag:brws", IceTestPeer.Server.Password, useCandidate: true, priority: second), B));

        Assert.Equal(IPAddress.Parse(expectedIp), IceTestPeer.ToEndPoint(_agent.SelectedAddress!).Address);
        Assert.True(_agent.IsNominated);
    }

    [Fact]
    public void An_unnominated_first_selection_gives_way_to_any_nomination()
    {
        Process(IceTestPeer.Custom("srvUfrag:brws", IceTestPeer.Server.Password, priority: 0x6e0001ff), A);
        Process(IceTestPeer.Custom("srvUfrag:brws", IceTestPeer.Server.Password, useCandidate: true, priority: 0x100), B);
        Assert.True(_agent.IsFromSelected(B));
    }

    [Fact]
    public void Unauthenticated_packet_never_selects()
    {
        Assert.Equal(IceCheckOutcome.Unauthorized, Process(IceTestPeer.Custom("srvUfrag:brws", "someOtherPasswordXXXXXXX", useCandidate: true), A));

        Assert.Null(_agent.SelectedAddress);
        Assert.False(_agent.IsFromSelected(A));
    }

    [Fact]
    public void Selected_address_is_a_copy_of_the_callers_instance()
    {
        SocketAddress reused = IceTestPeer.Address("203.0.113.7", 50000);
        Process(IceTestPeer.Check(), reused);

        // The receive loop overwrites its SocketAddress on the next receive.
        reused.Buffer.Span[3] ^= 0xFF;

        Assert.NotSame(reused, _agent.SelectedAddress);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 50000), IceTestPeer.ToEndPoint(_agent.SelectedAddress!));
        Assert.False(_agent.IsFromSelected(reused));
    }

    [Fact]
    public void Nomination_is_tracked()
    {
        Process(IceTestPeer.Check(), A);
        Assert.False(_agent.IsNominated);

        Assert.Equal(IceCheckOutcome.Nominated, Process(IceTestPeer.Check(useCandidate: true), A));
        Assert.True(_agent.IsNominated);
        Assert.True(_agent.IsFromSelected(A));
    }

    [Fact]
    public void Consent_expires_after_silence_and_is_refreshed_by_valid_checks()
    {
        // Counting starts at creation: a peer that never checks in expires too.
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.False(_agent.IsConsentExpired());
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(_agent.IsConsentExpired());

        Process(IceTestPeer.Check(), A);
        Assert.False(_agent.IsConsentExpired());
        Assert.Equal(_time.GetTimestamp(), _agent.LastConsentTimestamp);

        _time.Advance(TimeSpan.FromSeconds(20));
        Process(IceTestPeer.Check(), A);
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.False(_agent.IsConsentExpired());

        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.True(_agent.IsConsentExpired());
    }

    [Theory]
    // Unauthenticated check from the selected address: no refresh.
    [InlineData("wrong-password", "203.0.113.7")]
    // Role conflict from the selected address: not a valid check, no refresh.
    [InlineData("controlled", "203.0.113.7")]
    // Valid but un-nominated check from another address: consent is per selected pair (RFC 7675 §5.1).
    [InlineData("good", "198.51.100.9")]
    public void Consent_is_not_refreshed_by_other_traffic(string kind, string sourceIp)
    {
        Process(IceTestPeer.Check(), A);
        long selectedAt = _agent.LastConsentTimestamp;
        _time.Advance(TimeSpan.FromSeconds(25));

        byte[] request = kind switch
        {
            "good" => IceTestPeer.Check(),
            "wrong-password" => IceTestPeer.Custom("srvUfrag:brws", "someOtherPasswordXXXXXXX"),
            _ => IceTestPeer.Custom("srvUfrag:brws", IceTestPeer.Server.Password, controlled: true),
        };
        Process(request, sourceIp == "203.0.113.7" ? A : B);

        Assert.Equal(selectedAt, _agent.LastConsentTimestamp);
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.True(_agent.IsConsentExpired());
    }

    [Fact]
    public void Custom_consent_timeout_is_honoured()
    {
        var agent = new IceLiteAgent(IceTestPeer.Server, "brws", _time, TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(agent.IsConsentExpired());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(agent.IsConsentExpired());
    }

    [Fact]
    public void Steady_state_check_does_not_allocate()
    {
        byte[] request = IceTestPeer.Check(useCandidate: true);
        SocketAddress source = IceTestPeer.Address("2001:db8::7", 50000);
        int Run()
        {
            StunMessage.TryParse(request, out StunMessage message);
            _agent.ProcessBindingRequest(message, source, _response, out int length);
            return length + (_agent.IsFromSelected(source) ? 1 : 0);
        }

        long total = 0;
        long allocated = Allocations.Measure(() => total += Run());
        Assert.Equal(1100L * (IceLiteAgent.MaxResponseLength + 1), total); // 100 to warm up, 1000 measured
        Assert.Equal(0, allocated);
    }

    private IceCheckOutcome Process(byte[] request, SocketAddress source)
    {
        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(request, out StunMessage message));
        return _agent.ProcessBindingRequest(message, source, _response, out _);
    }
}

using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Sfu.Core.Ice;
using Sfu.Core.Stun;

namespace Sfu.Bots.Tests;

/// <summary>
/// The bot's agent in the controlled role, as when it answers an offer from a full ICE agent
/// (Janus): RFC 8445 §6.1.1 makes the offerer controlling.
/// </summary>
public sealed class IceAgentControlledRoleTests
{
    private static readonly IPAddress Benchmark = IPAddress.Parse("198.18.0.1");
    private static readonly IPEndPoint Peer = new(Benchmark, 20000);

    [Fact]
    public void Checks_carry_ice_controlled_and_never_nominate()
    {
        var time = new FakeTimeProvider();
        (IceAgent agent, List<(byte[] Datagram, SocketAddress To)> sent, _, _) = Create(time);

        for (int i = 0; i < 5; i++)
        {
            agent.Tick();
            time.Advance(TimeSpan.FromMilliseconds(50));
        }

        Assert.NotEmpty(sent);
        foreach ((byte[] datagram, SocketAddress to) in sent)
        {
            Assert.Equal(Peer.Serialize(), to);
            Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(datagram, out StunMessage check));
            Assert.True(check.TryGetIceControlled(out _), "§7.1.3: a controlled agent's check carries ICE-CONTROLLED");
            Assert.False(check.TryGetIceControlling(out _));
            Assert.False(check.HasUseCandidate, "§8.1.1: only the controlling agent nominates");
        }

        Assert.False(agent.Connected.IsCompleted);
    }

    [Fact]
    public void Takes_the_pair_the_controlling_peer_nominates_without_a_role_conflict()
    {
        var time = new FakeTimeProvider();
        (IceAgent agent, List<(byte[] Datagram, SocketAddress To)> sent, IceCredentials bot, IceCredentials peer) = Create(time);

        // A check with ICE-CONTROLLING but no USE-CANDIDATE: answered with success, not 487 (§7.3.1.1 needs both controlling).
        agent.OnStun(ControllingCheck(peer, bot, useCandidate: false), Peer.Serialize());
        Assert.Equal(StunClass.SuccessResponse, ClassOf(sent[^1].Datagram));
        Assert.False(agent.Connected.IsCompleted);

        // §7.3.1.5: USE-CANDIDATE on an authentic check nominates the pair it arrived on.
        agent.OnStun(ControllingCheck(peer, bot, useCandidate: true), Peer.Serialize());
        Assert.Equal(StunClass.SuccessResponse, ClassOf(sent[^1].Datagram));
        Assert.True(agent.Connected.IsCompletedSuccessfully);
        Assert.Equal(Peer.Serialize(), agent.SelectedAddress);
    }

    [Fact]
    public void A_nomination_that_arrives_before_the_answer_is_applied_is_honoured_at_start()
    {
        // The offerer may check (and, nominating aggressively, nominate) as soon as it has our
        // answer, before we have applied its offer; it does not nominate again.
        var time = new FakeTimeProvider();
        var bot = IceCredentials.Generate();
        var peer = IceCredentials.Generate();
        var sent = new List<(byte[] Datagram, SocketAddress To)>();
        var agent = new IceAgent(bot, new Recorder(sent), time, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), controlling: false, localAddress: Benchmark);

        agent.OnStun(ControllingCheck(peer, bot, useCandidate: true), Peer.Serialize());
        Assert.Equal(StunClass.SuccessResponse, ClassOf(sent[^1].Datagram));
        Assert.False(agent.Connected.IsCompleted);

        agent.Start(peer, [(Peer, 2130706431u)]);
        Assert.True(agent.Connected.IsCompletedSuccessfully);
        Assert.Equal(Peer.Serialize(), agent.SelectedAddress);
    }

    [Fact]
    public void A_check_before_the_answer_is_applied_makes_a_pair_with_its_source_though_the_offer_listed_no_candidate()
    {
        // Janus under load offers before its candidates are gathered (it trickles them later) and
        // checks as soon as it has our answer: its source is all we learn of where it is.
        var time = new FakeTimeProvider();
        var bot = IceCredentials.Generate();
        var peer = IceCredentials.Generate();
        var sent = new List<(byte[] Datagram, SocketAddress To)>();
        var agent = new IceAgent(bot, new Recorder(sent), time, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), controlling: false, localAddress: Benchmark);

        agent.OnStun(ControllingCheck(peer, bot, useCandidate: false), Peer.Serialize());
        Assert.Equal(StunClass.SuccessResponse, ClassOf(sent[^1].Datagram));
        agent.Start(peer, []);
        int before = sent.Count;
        agent.Tick();

        // §7.3.1.4: the triggered check goes to the source of the early check.
        Assert.True(sent.Count > before, "no check was sent");
        Assert.Equal(Peer.Serialize(), sent[^1].To);
        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(sent[^1].Datagram, out StunMessage check));
        Assert.Equal(StunClass.Request, check.Class);

        // The peer's next check nominates that pair.
        agent.OnStun(ControllingCheck(peer, bot, useCandidate: true), Peer.Serialize());
        Assert.True(agent.Connected.IsCompletedSuccessfully);
        Assert.Equal(Peer.Serialize(), agent.SelectedAddress);
    }

    [Fact]
    public void Pairs_only_with_loopback_and_the_address_the_bot_is_bound_to()
    {
        var time = new FakeTimeProvider();
        var bot = IceCredentials.Generate();
        var sent = new List<(byte[] Datagram, SocketAddress To)>();
        var agent = new IceAgent(bot, new Recorder(sent), time, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), controlling: false, localAddress: Benchmark);
        var other = new IPEndPoint(IPAddress.Parse("10.1.2.3"), 20000);
        agent.Start(IceCredentials.Generate(), [(other, 2130706431u), (Peer, 2130706431u - 1)]);

        for (int i = 0; i < 5; i++)
        {
            agent.Tick();
            time.Advance(TimeSpan.FromMilliseconds(50));
        }

        Assert.NotEmpty(sent);
        Assert.All(sent, s => Assert.Equal(Peer.Serialize(), s.To));
    }

    private static (IceAgent Agent, List<(byte[] Datagram, SocketAddress To)> Sent, IceCredentials Bot, IceCredentials Peer) Create(FakeTimeProvider time)
    {
        var bot = IceCredentials.Generate();
        var peer = IceCredentials.Generate();
        var sent = new List<(byte[] Datagram, SocketAddress To)>();
        var agent = new IceAgent(bot, new Recorder(sent), time, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), controlling: false, localAddress: Benchmark);
        agent.Start(peer, [(Peer, 2130706431u)]);
        return (agent, sent, bot, peer);
    }

    private static byte[] ControllingCheck(IceCredentials from, IceCredentials to, bool useCandidate)
    {
        byte[] buffer = new byte[256];
        byte[] transaction = new byte[12];
        Random.Shared.NextBytes(transaction);
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunClass.Request, transaction);
        writer.AddUsername(to.Ufrag + ":" + from.Ufrag);
        writer.AddPriority(1853824767);
        writer.AddIceControlling(0); // the smallest tie-breaker: a controlling bot would answer 487
        if (useCandidate)
        {
            writer.AddUseCandidate();
        }

        writer.AddMessageIntegrity(Encoding.ASCII.GetBytes(to.Password));
        writer.AddFingerprint();
        return buffer[..writer.Length];
    }

    private static StunClass ClassOf(byte[] datagram)
    {
        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(datagram, out StunMessage message));
        return message.Class;
    }

    private sealed class Recorder(List<(byte[] Datagram, SocketAddress To)> sent) : IBotDatagramSender
    {
        public void Send(ReadOnlySpan<byte> datagram, SocketAddress destination) => sent.Add((datagram.ToArray(), destination));
    }
}

using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Sfu.Core.Ice;
using Sfu.Core.Stun;

namespace Sfu.Bots.Tests;

/// <summary>The bot's controlling agent against the SFU's own ICE-lite agent, wired in memory.</summary>
public sealed class IceAgentTests
{
    private static readonly IPEndPoint Server = new(IPAddress.Loopback, 40000);
    private static readonly SocketAddress BotAddress = new IPEndPoint(IPAddress.Loopback, 40001).Serialize();

    [Fact]
    public void Checks_then_nominates_the_server_candidate()
    {
        var time = new FakeTimeProvider();
        var (agent, lite, wire, serverIce) = Create(time);

        agent.Tick();
        Assert.Single(wire.Sent);
        Assert.False(HasUseCandidate(wire.Sent[0].Datagram)); // the first check only validates the pair
        Deliver(agent, lite, wire);

        time.Advance(TimeSpan.FromMilliseconds(50)); // Ta pacing before the nomination check
        agent.Tick();
        Assert.True(HasUseCandidate(wire.Sent[^1].Datagram));
        Deliver(agent, lite, wire);

        Assert.True(agent.Connected.IsCompletedSuccessfully);
        Assert.Equal(Server.Serialize(), agent.SelectedAddress);
        Assert.True(lite.IsNominated);
        Assert.Equal(serverIce.Ufrag, Encoding.ASCII.GetString(UsernameOf(wire.Sent[^1].Datagram)).Split(':')[0]);
    }

    [Fact]
    public void Retransmits_an_unanswered_check_with_doubling_timeouts()
    {
        var time = new FakeTimeProvider();
        var (agent, _, wire, _) = Create(time);
        agent.Tick();
        byte[] first = wire.Sent[0].Datagram;

        // RFC 8489 §6.2.1: resend after RTO (500 ms), then 1 s later, ... with the same transaction.
        int[] waits = [499, 1, 999, 1];
        int[] expectedCounts = [1, 2, 2, 3];
        for (int i = 0; i < waits.Length; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(waits[i]));
            agent.Tick();
            Assert.Equal(expectedCounts[i], wire.Sent.Count(s => s.Datagram.AsSpan(8, 12).SequenceEqual(first.AsSpan(8, 12))));
        }
    }

    [Theory]
    // signed with our password: success with XOR-MAPPED-ADDRESS, signed with our password
    [InlineData(false, StunClass.SuccessResponse)]
    // signed with some other key: 401 (RFC 8489 §9.2.4), unsigned
    [InlineData(true, StunClass.ErrorResponse)]
    public void Answers_authentic_checks_and_rejects_forged_ones(bool forged, StunClass expected)
    {
        var time = new FakeTimeProvider();
        var (agent, _, wire, serverIce) = Create(time);
        IceCredentials bot = wire.BotCredentials;
        string key = forged ? IceCredentials.Generate().Password : bot.Password;

        agent.OnStun(BuildControlledCheck(serverIce, bot, key), Server.Serialize());

        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(wire.Sent[^1].Datagram, out StunMessage response));
        Assert.Equal(expected, response.Class);
        Assert.Equal(!forged, response.HasMessageIntegrity && response.VerifyMessageIntegrity(Encoding.ASCII.GetBytes(bot.Password)));
        if (!forged)
        {
            Assert.True(response.TryGetXorMappedAddress(out IPEndPoint? mapped));
            Assert.Equal(Server, mapped);
        }
    }

    private static byte[] BuildControlledCheck(IceCredentials from, IceCredentials to, string key)
    {
        byte[] buffer = new byte[256];
        var writer = new StunMessageWriter(buffer, StunMethod.Binding, StunClass.Request, new byte[12]);
        writer.AddUsername(to.Ufrag + ":" + from.Ufrag);
        writer.AddPriority(12345);
        writer.AddIceControlled(7);
        writer.AddMessageIntegrity(Encoding.ASCII.GetBytes(key));
        writer.AddFingerprint();
        return buffer[..writer.Length];
    }

    private static (IceAgent Agent, IceLiteAgent Lite, Wire Wire, IceCredentials ServerIce) Create(FakeTimeProvider time)
    {
        var serverIce = IceCredentials.Generate();
        var botIce = IceCredentials.Generate();
        var wire = new Wire(botIce);
        var agent = new IceAgent(botIce, wire, time, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5));
        var lite = new IceLiteAgent(serverIce, botIce.Ufrag, time);
        agent.Start(serverIce, [(Server, 2130706431u)]);
        return (agent, lite, wire, serverIce);
    }

    private static void Deliver(IceAgent agent, IceLiteAgent lite, Wire wire)
    {
        (byte[] datagram, SocketAddress to) = wire.Sent[^1];
        Assert.Equal(Server.Serialize(), to);
        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(datagram, out StunMessage request));
        byte[] response = new byte[IceLiteAgent.MaxResponseLength];
        IceCheckOutcome outcome = lite.ProcessBindingRequest(request, BotAddress, response, out int length);
        Assert.True(outcome is IceCheckOutcome.Accepted or IceCheckOutcome.Nominated, outcome.ToString());
        agent.OnStun(response.AsSpan(0, length), Server.Serialize());
    }

    private static byte[] UsernameOf(byte[] datagram)
        => StunMessage.TryParse(datagram, out StunMessage message) == StunParseResult.Ok ? message.Username.ToArray() : [];

    private static bool HasUseCandidate(byte[] datagram)
        => StunMessage.TryParse(datagram, out StunMessage message) == StunParseResult.Ok && message.HasUseCandidate;

    private sealed class Wire(IceCredentials botCredentials) : IBotDatagramSender
    {
        public IceCredentials BotCredentials { get; } = botCredentials;

        public List<(byte[] Datagram, SocketAddress To)> Sent { get; } = [];

        public void Send(ReadOnlySpan<byte> datagram, SocketAddress destination) => Sent.Add((datagram.ToArray(), destination));
    }
}

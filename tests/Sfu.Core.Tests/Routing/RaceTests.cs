using Sfu.Core.Routing;
using Sfu.Core.Srtp;

namespace Sfu.Core.Tests.Routing;

/// <summary>Changes to the subscription graph that race each other leave no down-track on a dead producer.</summary>
public sealed class RaceTests
{
    [Fact]
    public async Task A_publication_racing_its_publishers_departure_leaves_nothing_attached()
    {
        await using EngineRoom room = await EngineRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, subscribers: 2);
        for (int round = 0; round < 200; round++)
        {
            var peer = new EnginePeer(1000 + round, room.Port, Sfu.Core.Dtls.DtlsCertificate.Generate());
            peer.Participant = room.Engine.Join(EngineRoom.Name, $"racer-{round}", peer);
            string offer = peer.Offer(publish: true);
            using var start = new Barrier(2);

            Task publish = Task.Run(() =>
            {
                start.SignalAndWait();
                try
                {
                    peer.Participant.HandleOffer(offer);
                }
                catch (ObjectDisposedException)
                {
                    // Left first: the offer is refused, which is the other way to win the race.
                }
            }, TestContext.Current.CancellationToken);
            Task leave = Task.Run(() =>
            {
                start.SignalAndWait();
                room.Engine.Leave(peer.Participant);
            }, TestContext.Current.CancellationToken);
            await Task.WhenAll(publish, leave);
            peer.Dispose();

            foreach (Participant member in room.Engine.Rooms.Find(EngineRoom.Name)!.Participants)
            {
                Assert.All(member.DownTracks, d => Assert.False(d.Source.IsClosed, $"round {round}: {member.DisplayName} keeps a down-track of a closed producer"));
                Assert.All(member.DownTracks, d => Assert.False(d.Source.Owner.IsClosed, $"round {round}: {member.DisplayName} keeps a down-track of a departed publisher"));
            }
        }
    }
}

using Sfu.Core;
using Sfu.Core.Routing;
using Sfu.Core.Srtp;
using Sfu.Testing;

namespace Sfu.Benchmarks.Tests;

/// <summary>
/// A fan-out split over threads (<see cref="FanOutWorkers"/>) on the real engine: a room of 100
/// subscribers, shards of 8, one helper thread. Every subscriber gets every packet exactly once
/// and in sequence whichever thread made its copy, the helper really makes copies, and neither
/// the delivering thread nor the helper allocates per packet.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class SplitFanOutTests
{
    private const int Subscribers = 100;
    private const int Ring = 2048;
    private const int Rings = 10;

    [Fact]
    public async Task A_fan_out_shared_with_a_helper_thread_sends_each_copy_once_in_order_and_allocates_nothing()
    {
        await using BenchRoom bench = await BenchRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, Subscribers, Ring, fanOutThreads: 1, fanOutShard: 8);
        EngineRoom room = bench.Room;
        FanOutWorkers workers = room.Engine.FanOut;

        // Warm up: JIT, first-packet bookkeeping, the helper's thread and batch.
        bench.Refill();
        ForwardRing(bench);

        long[] receivedBefore = [.. room.Subscribers.Select(s => s.MediaReceived)];
        ushort[] sequenceBefore = [.. room.Subscribers.Select(s => s.LastVideoSequence)];
        long helperShards = workers.ShardsByHelpers;
        long helperAllocated = workers.AllocatedOnHelpers;
        long split = workers.Split;
        long allocated = 0;
        for (int r = 0; r < Rings; r++)
        {
            bench.Refill();
            long before = GC.GetAllocatedBytesForCurrentThread();
            ForwardRing(bench);
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
        }

        const int packets = Ring * Rings;
        Assert.Equal(packets, workers.Split - split);
        Assert.True(workers.ShardsByHelpers - helperShards > packets / 10, $"the helper sent {workers.ShardsByHelpers - helperShards} shards of {packets * 13} over {packets} packets");
        Assert.True(allocated == 0, $"the delivering thread allocated {allocated} B over {packets} packets");
        Assert.True(workers.AllocatedOnHelpers == helperAllocated, $"the helper allocated {workers.AllocatedOnHelpers - helperAllocated} B over {packets} packets");
        for (int s = 0; s < Subscribers; s++)
        {
            EnginePeer subscriber = room.Subscribers[s];
            Assert.True(subscriber.MediaReceived - receivedBefore[s] == packets, $"subscriber {s} received {subscriber.MediaReceived - receivedBefore[s]} of {packets}");

            // One sequence number per packet, none skipped or sent twice.
            Assert.Equal(unchecked((ushort)(sequenceBefore[s] + packets)), subscriber.LastVideoSequence);
        }
    }

    [Fact]
    public async Task Once_the_helpers_have_stopped_the_receiving_thread_sends_every_copy_itself()
    {
        await using BenchRoom bench = await BenchRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, Subscribers, Ring, fanOutThreads: 1, fanOutShard: 8);
        EngineRoom room = bench.Room;
        bench.Refill();
        ForwardRing(bench);
        long split = room.Engine.FanOut.Split;

        // The engine stops its helpers before its port, while media may still arrive.
        room.Engine.FanOut.Dispose();
        long[] before = [.. room.Subscribers.Select(s => s.MediaReceived)];
        bench.Refill();
        ForwardRing(bench);

        Assert.Equal(split, room.Engine.FanOut.Split);
        for (int s = 0; s < Subscribers; s++)
        {
            Assert.Equal(before[s] + Ring, room.Subscribers[s].MediaReceived);
        }
    }

    private static void ForwardRing(BenchRoom bench)
    {
        for (int i = 0; i < Ring; i++)
        {
            Assert.True(bench.ForwardVideo() > 0);
        }
    }
}

using System.Diagnostics;
using Sfu.Core.Net;
using Sfu.Core.Routing;
using Sfu.Core.Srtp;
using Sfu.Testing;

namespace Sfu.Core.Tests.Routing;

/// <summary>
/// A fan-out splits over threads only when the thread that received the packet is loaded
/// (<see cref="SfuOptions.FanOutSplitFromLoad"/>, 50 % of a core by default), and goes back to
/// the plain loop only below three quarters of that. The real engine in memory, a room of 40
/// subscribers in shards of 8 with one helper; the delivering thread's load is set through the
/// receive loop's own calls (<see cref="MediaThreadLoad"/>), as if it had waited for datagrams
/// the given share of a window. Every subscriber gets every packet either way.
/// </summary>
public sealed class SplitByLoadTests
{
    private const int Subscribers = 40;
    private const int Packets = 20;

    [Fact]
    public async Task A_thread_with_time_to_spare_keeps_its_fan_out_and_a_loaded_one_splits_it_until_the_load_falls_well_below_the_mark()
    {
        await using EngineRoom room = await EngineRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, Subscribers, fanOutThreads: 1, fanOutShard: 8, fanOutSplitFromLoad: FanOutWorkers.DefaultSplitFromLoad);
        FanOutWorkers workers = room.Engine.FanOut;
        ushort sequence = 1;
        try
        {
            // (load of the last window, whether the fan-outs split): rising through the mark,
            // then falling, where it holds until three quarters of the mark (37.5 %).
            (int Load, bool Splits)[] steps = [(0, false), (45, false), (50, true), (40, true), (38, true), (37, false), (45, false), (90, true), (10, false)];
            foreach ((int load, bool splits) in steps)
            {
                long[] before = [.. room.Subscribers.Select(s => s.MediaReceived)];
                long split = workers.Split;

                // No await between setting the load and delivering: the load is the thread's own.
                SetLoad(load);
                for (int i = 0; i < Packets; i++)
                {
                    room.SendVideo(sequence++, keyframe: sequence == 2);
                }

                Assert.True(workers.Split - split == (splits ? Packets : 0), $"at {load} % load, {workers.Split - split} of {Packets} fan-outs split");
                for (int s = 0; s < Subscribers; s++)
                {
                    Assert.Equal(before[s] + Packets, room.Subscribers[s].MediaReceived);
                }
            }

            Assert.True(workers.ShardsByHelpers > 0, "the helper sent no shard");
        }
        finally
        {
            SetLoad(0);
        }
    }

    [Fact]
    public void The_load_is_the_share_of_a_window_not_spent_waiting_plus_what_helpers_did_for_the_thread()
    {
        int[] readings = RunOnNewThread(() =>
        {
            long w = MediaThreadLoad.Window;
            long t = 1000 * w;
            var percent = new List<int>();

            // The first window: waited throughout.
            MediaThreadLoad.WaitStarts(t);
            MediaThreadLoad.WaitEnds(t + w);
            percent.Add(MediaThreadLoad.Percent);

            // Busy the first fifth, then a wait to the window's end.
            MediaThreadLoad.WaitStarts(t + w + (w / 5));
            MediaThreadLoad.WaitEnds(t + (2 * w));
            percent.Add(MediaThreadLoad.Percent);

            // The same, and helpers spent half a window on this thread's shards: splitting does
            // not make the thread look idle (which would end the split that relieves it).
            MediaThreadLoad.HandedOff(w / 2);
            MediaThreadLoad.WaitStarts(t + (2 * w) + (w / 5));
            MediaThreadLoad.WaitEnds(t + (3 * w));
            percent.Add(MediaThreadLoad.Percent);

            // More work than one core: never waited, and a window and a half handed off.
            MediaThreadLoad.HandedOff(3 * w / 2);
            MediaThreadLoad.WaitStarts(t + (4 * w));
            MediaThreadLoad.WaitEnds(t + (4 * w));
            percent.Add(MediaThreadLoad.Percent);

            // A wait that has not yet run a window's length leaves the reading as it was.
            MediaThreadLoad.WaitStarts(t + (4 * w));
            MediaThreadLoad.WaitEnds(t + (4 * w) + (w / 2));
            percent.Add(MediaThreadLoad.Percent);
            return percent.ToArray();
        });

        Assert.Equal([0, 20, 70, 250, 250], readings);
    }

    private static long s_clock = Stopwatch.GetTimestamp();

    /// <summary>
    /// Closes a window on the calling thread in which it waited for datagrams all but
    /// <paramref name="percent"/> of the time, as its receive loop would.
    /// </summary>
    private static void SetLoad(int percent)
    {
        long w = MediaThreadLoad.Window;
        long t = Interlocked.Add(ref s_clock, 4 * w);

        // Close whatever window is open (and drop what it counted), then run one whole window.
        MediaThreadLoad.WaitStarts(t);
        MediaThreadLoad.WaitEnds(t + w);
        MediaThreadLoad.WaitStarts(t + w + (w * percent / 100));
        MediaThreadLoad.WaitEnds(t + (2 * w));
    }

    private static T RunOnNewThread<T>(Func<T> work)
    {
        T result = default!;
        var thread = new Thread(() => result = work());
        thread.Start();
        thread.Join();
        return result;
    }
}

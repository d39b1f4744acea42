using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Sfu.Core.Net;
using Sfu.Core.Rtp;

namespace Sfu.Core.Routing;

/// <summary>
/// Splits one packet's fan-out over several cores when a track has many subscribers (LiveKit's
/// answer for one publisher to thousands; mediasoup has none, a room is one worker). The media
/// thread that received the packet holds its room's media gate, as for any fan-out; it cuts the
/// down-tracks into shards of at most <see cref="ShardSize"/> (<see cref="ShardSizeFor"/>), wakes idle helper threads, and every one
/// of them, itself included, claims shards until none is left: each copy is still rewritten,
/// encrypted and queued by exactly one thread. The receiving thread returns only when every
/// shard is done, so the gate still covers all the work and no down-track, subscriber context
/// or SRTP context is ever touched by two threads at once: no lock per packet or per copy.
/// A thread splits only while it is loaded (<see cref="SplitFromLoad"/>, its
/// <see cref="MediaThreadLoad"/>): waking a helper per packet costs more CPU than it saves on
/// a thread with time to spare, and buys nothing there but a shorter fan-out.
/// </summary>
/// <remarks>
/// <para>
/// Order: a helper sends what its shard queued (one <c>sendmmsg</c>) before it reports the shard
/// done, and the receiving thread sends its own shards' copies when the datagram's handling
/// ends, before it takes the next one. A subscriber's copies of a track therefore leave in the
/// order the packets came, whichever thread made each.
/// </para>
/// <para>
/// Nothing here allocates per packet: one job per receiving thread is reused, its packet passed
/// as a pinned pointer (the receiving thread keeps it pinned until the last shard is done), and
/// helpers wait on an event, watching their mailbox first only while jobs come close together
/// (<see cref="HelperJobGaps"/>). Helpers that wake too late find every shard claimed and go back
/// to sleep; a receiving thread that finds no helper idle does all the shards itself. With
/// <see cref="Helpers"/> at 0, fewer down-tracks than two shards or a thread below its load
/// mark, nothing changes from the plain loop.
/// </para>
/// </remarks>
public sealed partial class FanOutWorkers : IDisposable
{
    /// <summary>The most down-tracks one thread takes at a time; a fan-out splits only when it has more than one shard's worth.</summary>
    public const int DefaultShardSize = 16;

    /// <summary>The fewest down-tracks a shard is cut to when a fan-out is short (see <see cref="ShardSizeFor"/>).</summary>
    public const int MinShardSize = 4;

    /// <summary>
    /// The receiving thread's load (<see cref="MediaThreadLoad"/>, percent of one core) from which
    /// it splits. Below it a split costs more than it saves: at 1 → 50 on an idle thread, waking a
    /// helper per packet took 10–25 % more CPU per copy than the plain loop (benchmarks/RESULTS.md).
    /// </summary>
    public const int DefaultSplitFromLoad = 50;

    [ThreadStatic]
    private static Job? t_job;

    private readonly Helper[] _helpers;
    private readonly ILogger _logger;
    private volatile bool _stopping;
    private readonly ConcurrentQueue<Job> _jobs = new();
    private long _shardsByHelpers;
    private long _downTracksByHelpers;
    private long _faults;
    private long _allocatedOnHelpers;

    /// <param name="helpers">Helper threads (0: every fan-out stays on the thread that received its packet).</param>
    /// <param name="shardSize">Down-tracks in one shard.</param>
    /// <param name="splitFromLoad">
    /// The receiving thread's load, in percent of one core, from which it splits a fan-out; it
    /// goes back to the plain loop below three quarters of that. 0: split whenever there is more
    /// than one shard.
    /// </param>
    public FanOutWorkers(int helpers, int shardSize, ILogger logger, int splitFromLoad = DefaultSplitFromLoad)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(helpers);
        ArgumentOutOfRangeException.ThrowIfLessThan(shardSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(splitFromLoad);
        ShardSize = shardSize;
        SplitFromLoad = splitFromLoad;
        _logger = logger;
        _helpers = new Helper[helpers];
        for (int i = 0; i < helpers; i++)
        {
            _helpers[i] = new Helper(this, i);
        }
    }

    public int Helpers => _helpers.Length;

    public int ShardSize { get; }

    /// <summary>The receiving thread's load (percent of one core) from which it splits; 0: always.</summary>
    public int SplitFromLoad { get; }

    /// <summary>Fan-outs that were split into shards (each receiving thread counts its own: no shared counter per packet).</summary>
    public long Split => _jobs.Sum(job => job.Split);

    /// <summary>Shards a helper thread sent (the rest went out on the thread that received the packet).</summary>
    public long ShardsByHelpers => Interlocked.Read(ref _shardsByHelpers);

    /// <summary>Down-tracks in the shards helper threads took (what share of the copies they made).</summary>
    public long DownTracksByHelpers => Interlocked.Read(ref _downTracksByHelpers);

    /// <summary>
    /// Bytes the helper threads allocated while they sent shards: 0 on a healthy forwarding
    /// path (read per shard from the thread's own allocation counter, a thread-local read).
    /// </summary>
    public long AllocatedOnHelpers => Interlocked.Read(ref _allocatedOnHelpers);

    private bool Running { get; set; }

    /// <summary>Starts the helper threads; each sends through <paramref name="port"/>'s batch of its own.</summary>
    public void Start(ISendBatching port)
    {
        ArgumentNullException.ThrowIfNull(port);
        if (Running)
        {
            return;
        }

        foreach (Helper helper in _helpers)
        {
            helper.Start(port);
        }

        Running = true;
    }

    /// <summary>
    /// True when the fan-out of <paramref name="packet"/> to <paramref name="downTracks"/> was
    /// done here, split into shards; false (nothing done) when it should stay a plain loop: too
    /// few down-tracks, no helpers, or a receiving thread with time to spare. Media path, under
    /// the room's media gate.
    /// </summary>
    internal unsafe bool TryFanOut(ProducerLayer layer, ReadOnlySpan<byte> packet, in RtpPacket view, bool isKeyframe, uint live, long now, Span<byte> scratch, ImmutableArray<DownTrack> downTracks)
    {
        if (downTracks.Length <= ShardSize || _helpers.Length == 0 || !Running || _stopping)
        {
            return false;
        }

        int shardSize = ShardSizeFor(downTracks.Length, _helpers.Length + 1, ShardSize);
        int shards = (downTracks.Length + shardSize - 1) / shardSize;
        if (shards > 0x7FFF)
        {
            return false;
        }

        // A thread's job belongs to one engine's workers (a test thread may drive several engines).
        Job job = t_job is { } mine && mine.Owner == this ? mine : NewJob();
        if (!job.ShouldSplit(MediaThreadLoad.Percent, SplitFromLoad))
        {
            return false;
        }

        fixed (byte* pinned = packet)
        {
            job.Begin(layer, pinned, packet.Length, isKeyframe, live, now, downTracks, shardSize, shards);
            try
            {
                Wake(job, shards - 1);
                while (job.TryClaim(fromBack: false, out int shard))
                {
                    try
                    {
                        job.Run(shard, packet, view, scratch);
                    }
                    finally
                    {
                        job.ShardDone();
                    }
                }
            }
            finally
            {
                // The pointer and the down-tracks must outlive every shard a helper claimed.
                // The load counts the helpers' work in place of the time spent waiting for it,
                // which the receive loop sees as busy: an idle thread whose helper is slow to
                // wake must not read as loaded and keep splitting.
                long waited = job.WaitForShards();
                MediaThreadLoad.HandedOff(job.End() - waited);
            }
        }

        return true;
    }

    /// <summary>
    /// The shard size for a fan-out to <paramref name="downTracks"/> shared by
    /// <paramref name="threads"/> (helpers and the receiving thread): about four shards each, so
    /// the last shards are short and whoever finishes first does not wait long for the others (a
    /// helper that took one of 1 → 50's three full shards of 16 left the receiving thread idle
    /// for a third of the fan-out), but never more than <paramref name="largest"/>, nor fewer than
    /// <see cref="MinShardSize"/> down-tracks, where a claim would cost more than it balances.
    /// </summary>
    internal static int ShardSizeFor(int downTracks, int threads, int largest)
    {
        int even = (downTracks + (4 * threads) - 1) / (4 * threads);
        return Math.Clamp(even, Math.Min(MinShardSize, largest), largest);
    }

    /// <summary>The calling thread's first split fan-out (setup, once per thread): its job, kept for the counters.</summary>
    private Job NewJob()
    {
        var job = new Job(this);
        _jobs.Enqueue(job);
        t_job = job;
        return job;
    }

    private void Wake(Job job, int wanted)
    {
        Helper[] helpers = _helpers;
        for (int i = 0; i < helpers.Length && wanted > 0; i++)
        {
            if (helpers[i].TryPost(job))
            {
                wanted--;
            }
        }
    }

    public void Dispose()
    {
        _stopping = true;
        foreach (Helper helper in _helpers)
        {
            helper.Dispose();
        }
    }

    /// <summary>Shards a helper gave up on because a copy threw (logged the first time and every thousandth).</summary>
    public long Faults => Interlocked.Read(ref _faults);

    [LoggerMessage(EventId = 4540, Level = LogLevel.Error, Message = "A fan-out shard failed on a helper thread; its other subscribers' copies of this packet were not sent")]
    private static partial void LogShardFault(ILogger logger, Exception exception);

    /// <summary>
    /// One receiving thread's fan-out in progress, reused for each of its packets. The fields
    /// are written before <see cref="_state"/> publishes a new generation and read by a helper
    /// only after it claimed a shard of that generation, which the receiving thread waits for:
    /// a helper that woke late for an old packet can claim only a shard of the current one.
    /// </summary>
    private sealed unsafe class Job(FanOutWorkers owner)
    {
        // High 32 bits: generation; then shards claimed from the back (16) and from the front (16).
        private long _state;
        private int _done;
        private int _shards;
        private int _shardSize;
        private ProducerLayer? _layer;
        private byte* _packet;
        private int _length;
        private bool _isKeyframe;
        private uint _live;
        private long _now;
        private ImmutableArray<DownTrack> _downTracks;
        private long _split;
        private long _helperTicks;
        private bool _splitting;

        public FanOutWorkers Owner => owner;

        /// <summary>Fan-outs this job carried; written by its receiving thread only.</summary>
        public long Split => Volatile.Read(ref _split);

        public void Begin(ProducerLayer layer, byte* packet, int length, bool isKeyframe, uint live, long now, ImmutableArray<DownTrack> downTracks, int shardSize, int shards)
        {
            _shardSize = shardSize;
            _layer = layer;
            _packet = packet;
            _length = length;
            _isKeyframe = isKeyframe;
            _live = live;
            _now = now;
            _downTracks = downTracks;
            _shards = shards;
            _done = 0;
            Volatile.Write(ref _split, _split + 1);
            long generation = (_state >> 32) + 1;
            Volatile.Write(ref _state, generation << 32);
        }

        /// <summary>
        /// Whether this thread splits now: from <paramref name="from"/> percent of load on, and
        /// on until it falls under three quarters of that, so a thread near the mark does not
        /// switch back and forth from window to window. The load counts the helpers' time on this
        /// thread's shards, so splitting alone does not end the split.
        /// </summary>
        public bool ShouldSplit(int load, int from)
        {
            _splitting = from == 0 || (_splitting ? load * 4 >= from * 3 : load >= from);
            return _splitting;
        }

        /// <summary>Ends the packet's fan-out; returns the <see cref="Stopwatch"/> ticks helpers spent on it.</summary>
        public long End()
        {
            _layer = null;
            _packet = null;
            _downTracks = default;
            return Interlocked.Exchange(ref _helperTicks, 0);
        }

        /// <summary>A helper's time on this job's shards; added before it reports them done.</summary>
        public void HelperWorked(long ticks) => Interlocked.Add(ref _helperTicks, ticks);

        /// <summary>
        /// The receiving thread claims shards from the front, helpers from the back, so each
        /// subscriber's state mostly stays in one core's cache from packet to packet.
        /// </summary>
        public bool TryClaim(bool fromBack, out int shard)
        {
            while (true)
            {
                long state = Volatile.Read(ref _state);
                int front = (int)(state & 0xFFFF);
                int back = (int)((state >> 16) & 0xFFFF);
                if (front + back >= Volatile.Read(ref _shards))
                {
                    shard = -1;
                    return false;
                }

                long claimed = fromBack ? state + (1L << 16) : state + 1;
                if (Interlocked.CompareExchange(ref _state, claimed, state) == state)
                {
                    shard = fromBack ? _shards - 1 - back : front;
                    return true;
                }
            }
        }

        public void ShardDone() => Interlocked.Increment(ref _done);

        public void ShardsDone(int count) => Interlocked.Add(ref _done, count);

        /// <summary>Returns once every shard is done; the <see cref="Stopwatch"/> ticks it waited for helpers.</summary>
        public long WaitForShards()
        {
            // A shard nobody claimed (the receiving thread's own shard threw) is counted done unsent.
            while (TryClaim(fromBack: false, out _))
            {
                ShardDone();
            }

            if (Volatile.Read(ref _done) >= _shards)
            {
                return 0;
            }

            long started = Stopwatch.GetTimestamp();
            var spin = default(SpinWait);
            while (Volatile.Read(ref _done) < _shards)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }

            return Stopwatch.GetTimestamp() - started;
        }

        /// <summary>Down-tracks in <paramref name="shard"/>: the packet's shard size, or fewer in the last.</summary>
        public int DownTracksIn(int shard) => Math.Min(_shardSize, _downTracks.Length - (shard * _shardSize));

        /// <summary>One shard with the receiving thread's parsed view of the packet.</summary>
        public void Run(int shard, ReadOnlySpan<byte> packet, in RtpPacket view, Span<byte> scratch)
        {
            int start = shard * _shardSize;
            int end = Math.Min(start + _shardSize, _downTracks.Length);
            Producer.Send(_layer!, packet, view, _isKeyframe, _live, _now, scratch, _downTracks, start, end);
        }

        /// <summary>One shard on a helper thread: the packet is read from the pinned pointer and parsed again.</summary>
        public void RunOnHelper(int shard, Span<byte> scratch)
        {
            var packet = new ReadOnlySpan<byte>(_packet, _length);
            if (RtpPacket.TryParse(packet, out RtpPacket view) == RtpParseResult.Ok)
            {
                Run(shard, packet, view, scratch);
            }
        }
    }

    /// <summary>A helper thread: sleeps until a receiving thread posts it a job, then claims shards of it.</summary>
    private sealed class Helper(FanOutWorkers owner, int index) : IDisposable
    {
        // No spinning inside the event (spinCount 0): a helper that spun on every wait took an
        // eighth of the server's CPU in sched_yield at 1 → 100, a packet a millisecond. It
        // watches its mailbox first only while jobs come close together (HelperJobGaps).
        private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
        private Job? _posted;
        private Thread? _thread;

        public void Start(ISendBatching port)
        {
            _thread = new Thread(() => Loop(port))
            {
                IsBackground = true,
                // Linux shows 15 characters of a thread name.
                Name = $"{MediaThreadLoad.ThreadNamePrefix}fo-{index}",
            };
            _thread.Start();
        }

        /// <summary>Hands the job over unless this helper has one waiting already (then it is busy or about to be).</summary>
        public bool TryPost(Job job)
        {
            if (Interlocked.CompareExchange(ref _posted, job, null) is not null)
            {
                return false;
            }

            try
            {
                _wake.Set();
                return true;
            }
            catch (ObjectDisposedException)
            {
                // The workers stopped while a media thread was still forwarding: it does the shards itself.
                return false;
            }
        }

        /// <summary>Wakes the thread to see that the workers stop, and waits for it.</summary>
        public void Dispose()
        {
            _wake.Set();
            if (_thread is null || _thread.Join(TimeSpan.FromSeconds(2)))
            {
                _wake.Dispose();
            }
        }

        private void Loop(ISendBatching port)
        {
            using IDisposable? batch = port.BatchSendsOnThisThread();
            byte[] scratch = GC.AllocateUninitializedArray<byte>(UdpMediaPort.ReceiveBufferSize + 64);
            var gaps = new HelperJobGaps();
            long finished = Stopwatch.GetTimestamp();
            while (true)
            {
                Job? job = SpinForJob(gaps.SpinTicks);
                if (job is null)
                {
                    _wake.Wait();

                    // Reset before the mailbox is read: a job posted after this read sets it again.
                    _wake.Reset();
                    if (owner._stopping)
                    {
                        return;
                    }

                    if (Interlocked.Exchange(ref _posted, null) is not { } posted)
                    {
                        continue;
                    }

                    job = posted;
                }

                gaps.Observe(Stopwatch.GetTimestamp() - finished);
                Help(job, port, scratch);
                finished = Stopwatch.GetTimestamp();
            }
        }

        /// <summary>
        /// Watches the mailbox for up to <paramref name="ticks"/> before the helper sleeps: when
        /// the next job comes within that, it starts at once, and the poster's wake-up (a futex
        /// call, and on a virtual machine an interrupt to a sleeping core) is saved.
        /// </summary>
        private Job? SpinForJob(long ticks)
        {
            if (ticks <= 0)
            {
                return null;
            }

            // Every few turns it yields the core (sched_yield): on a machine with more runnable
            // threads than cores (a handshake thread, the rest of the server, other processes)
            // a watching helper must not hold a core they need; with none waiting, the yield
            // returns at once.
            long until = Stopwatch.GetTimestamp() + ticks;
            int turns = 0;
            do
            {
                if (Volatile.Read(ref _posted) is not null)
                {
                    return Interlocked.Exchange(ref _posted, null);
                }

                if (++turns % 8 == 0)
                {
                    Thread.Yield();
                }
                else
                {
                    Thread.SpinWait(8);
                }
            }
            while (Stopwatch.GetTimestamp() < until && !owner._stopping);
            return null;
        }

        /// <summary>
        /// Claims shards until none is left. What they queued leaves (one <c>sendmmsg</c> per 32)
        /// before they are reported done: the copies of the next packet, made maybe on another
        /// thread, must not overtake these.
        /// </summary>
        private void Help(Job job, ISendBatching port, byte[] scratch)
        {
            int claimed = 0;
            int downTracks = 0;
            long started = Stopwatch.GetTimestamp();
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                while (job.TryClaim(fromBack: true, out int shard))
                {
                    claimed++;
                    downTracks += job.DownTracksIn(shard);
                    try
                    {
                        job.RunOnHelper(shard, scratch);
                    }
#pragma warning disable CA1031 // The receiving thread waits for this shard: a fault in one copy must not leave it waiting.
                    catch (Exception e)
#pragma warning restore CA1031
                    {
                        // The first and then every thousandth: a fault on every packet must not flood the log.
                        if (Interlocked.Increment(ref owner._faults) % 1000 == 1)
                        {
                            LogShardFault(owner._logger, e);
                        }
                    }
                }
            }
            finally
            {
                port.FlushSends();
                if (GC.GetAllocatedBytesForCurrentThread() - allocated is var bytes and not 0)
                {
                    Interlocked.Add(ref owner._allocatedOnHelpers, bytes);
                }

                if (claimed > 0)
                {
                    Interlocked.Add(ref owner._shardsByHelpers, claimed);
                    Interlocked.Add(ref owner._downTracksByHelpers, downTracks);
                    job.HelperWorked(Stopwatch.GetTimestamp() - started);
                }

                job.ShardsDone(claimed);
            }
        }
    }
}

namespace Sfu.Core.Streams;

/// <summary>
/// The bytes every retransmission buffer on the server may hold together. A buffer takes a
/// page from here before it allocates one and gives its pages back when its track ends, so
/// however many video tracks clients announce, repair memory stays under one bound. Any thread.
/// </summary>
public sealed class RetransmissionBudget
{
    private long _used;

    /// <param name="limit">Bytes in all; 0 means no limit.</param>
    public RetransmissionBudget(long limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        Limit = limit;
    }

    /// <summary>No bound: what a buffer made without a server (a test, a benchmark) uses.</summary>
    public static RetransmissionBudget Unlimited { get; } = new(0);

    public long Limit { get; }

    /// <summary>Bytes taken now.</summary>
    public long Used => Volatile.Read(ref _used);

    /// <summary>Takes <paramref name="bytes"/>; false, taking nothing, when that would pass the limit.</summary>
    public bool TryTake(long bytes)
    {
        long after = Interlocked.Add(ref _used, bytes);
        if (Limit > 0 && after > Limit)
        {
            Interlocked.Add(ref _used, -bytes);
            return false;
        }

        return true;
    }

    public void Return(long bytes) => Interlocked.Add(ref _used, -bytes);
}
